package cache

import (
	"hash/maphash"
	"sync/atomic"
	"unsafe"
)

// decodedMemo remembers, per key, the last value decoded from a cached
// string, in a small direct-mapped table. The stores of this package return
// the very same string for as long as a cached value is unchanged, and the
// memo keeps that string alive, so the same data pointer means the same
// bytes: the decoded value can be reused without decoding again.
type decodedMemo[T any] struct {
	seed  maphash.Seed
	slots [4096]atomic.Pointer[memoEntry[T]]
}

type memoEntry[T any] struct {
	key string
	raw string // the cached string the value was decoded from
	val T
}

func newDecodedMemo[T any]() *decodedMemo[T] {
	return &decodedMemo[T]{seed: maphash.MakeSeed()}
}

func (m *decodedMemo[T]) slot(key string) *atomic.Pointer[memoEntry[T]] {
	return &m.slots[maphash.String(m.seed, key)%uint64(len(m.slots))]
}

// get returns the value decoded earlier from exactly raw for key.
func (m *decodedMemo[T]) get(key, raw string) (T, bool) {
	e := m.slot(key).Load()
	if e == nil || e.key != key || len(e.raw) != len(raw) || unsafe.StringData(e.raw) != unsafe.StringData(raw) {
		var zero T
		return zero, false
	}
	return e.val, true
}

// put remembers val as decoded from raw for key.
func (m *decodedMemo[T]) put(key, raw string, val T) {
	m.slot(key).Store(&memoEntry[T]{key: key, raw: raw, val: val})
}
