package ratelimit

import (
	"container/list"
	"context"
	"fmt"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
)

// Memory store defaults.
const (
	// DefaultMaxKeys is MemoryOptions.MaxKeys when zero.
	DefaultMaxKeys = 100_000
	// DefaultSweepInterval is MemoryOptions.SweepInterval when zero.
	DefaultSweepInterval = time.Minute
)

const memoryShards = 32

// MemoryOptions configure a MemoryStore. The zero value is ready to use.
type MemoryOptions struct {
	// Now is the store's clock. Default: time.Now.
	Now func() time.Time
	// MaxKeys bounds the number of keys held (rounded up to a multiple of
	// the internal shard count). Beyond it the least recently used key of a
	// shard is forgotten, which gives that client a fresh window.
	// Default: DefaultMaxKeys.
	MaxKeys int
	// SweepInterval is how often keys whose requests have all left their
	// window are deleted. The sweep runs inline in the first call after the
	// interval and visits every key. Default: DefaultSweepInterval.
	SweepInterval time.Duration
}

// MemoryStore is a Store in process memory, for a single instance and for
// tests. It has the same semantics as RedisStore, with its own clock.
type MemoryStore struct {
	now      func() time.Time
	interval time.Duration
	seed     maphash.Seed
	perShard int

	nextSweep atomic.Int64 // µs since the epoch; 0 before the first call

	shards [memoryShards]memoryShard
}

var _ Store = (*MemoryStore)(nil)

type memoryShard struct {
	mu   sync.Mutex
	keys map[string]*list.Element // of *memoryEntry
	lru  list.List                // front is most recently used
}

type memoryEntry struct {
	key    string
	window int64 // µs, of the last decision
	log    slidingLog
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore(opts MemoryOptions) *MemoryStore {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxKeys <= 0 {
		opts.MaxKeys = DefaultMaxKeys
	}
	if opts.SweepInterval <= 0 {
		opts.SweepInterval = DefaultSweepInterval
	}
	s := &MemoryStore{
		now:      opts.Now,
		interval: opts.SweepInterval,
		seed:     maphash.MakeSeed(),
		perShard: (opts.MaxKeys + memoryShards - 1) / memoryShards,
	}
	for i := range s.shards {
		s.shards[i].keys = make(map[string]*list.Element)
	}
	return s
}

// Allow implements Store.
func (s *MemoryStore) Allow(ctx context.Context, key string, p Policy) (Result, error) {
	if err := p.Validate(); err != nil {
		return Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("ratelimit: memory allow: %w", err)
	}
	t := s.now()
	s.maybeSweep(t)
	sh := &s.shards[maphash.String(s.seed, key)%memoryShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e := sh.entry(key, s.perShard)
	e.window = p.Window.Microseconds()
	return e.log.decide(t.UnixMicro(), e.window, p.Limit).result(p.Limit), nil
}

// nonBlocking marks MemoryStore as never waiting (see Limiter.ask).
func (s *MemoryStore) nonBlocking() {}

// Len returns the number of keys held.
func (s *MemoryStore) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += len(sh.keys)
		sh.mu.Unlock()
	}
	return n
}

// entry returns key's entry, created (evicting the least recently used when
// the shard is full) if needed, and marks it most recently used.
func (sh *memoryShard) entry(key string, capacity int) *memoryEntry {
	if el, ok := sh.keys[key]; ok {
		sh.lru.MoveToFront(el)
		return el.Value.(*memoryEntry)
	}
	for len(sh.keys) >= capacity {
		oldest := sh.lru.Back()
		sh.lru.Remove(oldest)
		delete(sh.keys, oldest.Value.(*memoryEntry).key)
	}
	e := &memoryEntry{key: key}
	sh.keys[key] = sh.lru.PushFront(e)
	return e
}

// maybeSweep deletes idle keys when the sweep interval has passed; only
// one caller per interval does so.
func (s *MemoryStore) maybeSweep(t time.Time) {
	now := t.UnixMicro()
	next := s.nextSweep.Load()
	if now < next || !s.nextSweep.CompareAndSwap(next, now+s.interval.Microseconds()) {
		return
	}
	if next != 0 {
		s.sweep(now)
	}
}

// sweep deletes every key whose newest request left its window by now (µs).
func (s *MemoryStore) sweep(now int64) {
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		for key, el := range sh.keys {
			e := el.Value.(*memoryEntry)
			if e.log.newest()+e.window <= now {
				sh.lru.Remove(el)
				delete(sh.keys, key)
			}
		}
		sh.mu.Unlock()
	}
}
