package cache

import (
	"hash/maphash"
	"sync/atomic"
)

// keyMemo remembers the prefixed Redis keys of recently read cache keys in
// a small direct-mapped table, so that a hot read does not allocate to
// build its key. A collision simply replaces the slot.
type keyMemo struct {
	prefix string
	seed   maphash.Seed
	slots  [4096]atomic.Pointer[keyPair]
}

type keyPair struct{ key, full string }

func newKeyMemo(prefix string) *keyMemo {
	return &keyMemo{prefix: prefix, seed: maphash.MakeSeed()}
}

// full returns prefix+key.
func (m *keyMemo) full(key string) string {
	slot := &m.slots[maphash.String(m.seed, key)%uint64(len(m.slots))]
	if p := slot.Load(); p != nil && p.key == key {
		return p.full
	}
	full := m.prefix + key
	slot.Store(&keyPair{key: key, full: full})
	return full
}
