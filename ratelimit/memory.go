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

// maxMemoryPolicies bounds the policies a MemoryStore keeps apart; the
// policies beyond it share one set of keys (and its bound).
const maxMemoryPolicies = 256

// MemoryOptions configure a MemoryStore. The zero value is ready to use.
type MemoryOptions struct {
	// Now is the store's clock. Default: time.Now.
	Now func() time.Time
	// MaxKeys bounds the number of keys held for each policy (by
	// Policy.Name), so clients rotating keys under one policy cannot evict
	// the counters of another. The bound is spread over internal shards
	// and rounded up to a multiple of their count. Beyond it the least
	// recently used key of a shard is forgotten, which gives that client a
	// fresh window; a key denied within its window is kept until its Reset
	// while its shard holds any other key to forget.
	//
	// A key costs a fixed overhead (its name, list and map entries) plus
	// 8 bytes for each request in its window (the log grows with use, up
	// to the limit), so size the bound by the policy's limit.
	// Default: DefaultMaxKeys.
	MaxKeys int
	// PolicyMaxKeys sets MaxKeys for the named policies. Default: none.
	PolicyMaxKeys map[string]int
	// SweepInterval is how often keys whose requests have all left their
	// window are deleted. The sweep runs inline in the first call after the
	// interval and visits every key. Default: DefaultSweepInterval.
	SweepInterval time.Duration
	// OnEvent, when set, receives an EventEviction for every key forgotten
	// because its policy was at its bound (not for keys swept after their
	// window), with the policy of the request that needed the room and
	// whether the forgotten key was still denied. It runs under a lock of
	// the store and must be fast. Default: nil.
	OnEvent func(Event)
}

// MemoryStats are a MemoryStore's counters.
type MemoryStats struct {
	// Keys is the number of keys held, over all policies.
	Keys int
	// Evicted counts the keys forgotten because their policy was at its
	// bound.
	Evicted uint64
	// EvictedDenied counts the evicted keys that were still denied: each
	// gave a client a fresh window early. Only a shard holding nothing but
	// denied keys evicts one.
	EvictedDenied uint64
}

// MemoryStore is a Store in process memory, for a single instance and for
// tests. It has the same semantics as RedisStore, with its own clock.
type MemoryStore struct {
	now       func() time.Time
	interval  time.Duration
	seed      maphash.Seed
	maxKeys   int
	perPolicy map[string]int
	onEvent   func(Event)

	nextSweep     atomic.Int64 // µs since the epoch; 0 before the first call
	evicted       atomic.Uint64
	evictedDenied atomic.Uint64

	partsMu sync.Mutex                               // serialises writers of parts
	parts   atomic.Pointer[map[string]*memoryPolicy] // copied on write
}

var _ Store = (*MemoryStore)(nil)

// memoryPolicy holds the keys of one policy.
type memoryPolicy struct {
	name     string
	perShard int
	shards   [memoryShards]memoryShard
}

// memoryShard keeps its keys in two recency lists: lru for keys whose last
// decision allowed, held for keys whose last decision denied. Eviction
// takes from held only keys whose Reset has passed, or when lru is empty.
type memoryShard struct {
	mu   sync.Mutex
	keys map[string]*list.Element // of *memoryEntry, in lru or held
	lru  list.List                // front is most recently used
	held list.List                // denied keys; front is most recently denied
}

type memoryEntry struct {
	key         string
	window      int64 // µs, of the last decision
	deniedUntil int64 // µs: the Reset of the last decision when it denied; 0 in lru
	log         slidingLog
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
		now:       opts.Now,
		interval:  opts.SweepInterval,
		seed:      maphash.MakeSeed(),
		maxKeys:   opts.MaxKeys,
		perPolicy: opts.PolicyMaxKeys,
		onEvent:   opts.OnEvent,
	}
	s.parts.Store(&map[string]*memoryPolicy{})
	return s
}

// Allow implements Store. Keys are kept per p.Name, each policy within its
// own bound.
func (s *MemoryStore) Allow(ctx context.Context, key string, p Policy) (Result, error) {
	if err := p.Validate(); err != nil {
		return Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("ratelimit: memory allow: %w", err)
	}
	t := s.now()
	now := t.UnixMicro()
	s.maybeSweep(now)
	mp := s.policy(p.Name)
	sh := &mp.shards[maphash.String(s.seed, key)%memoryShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	el := sh.element(key, p, mp, s, now)
	e := el.Value.(*memoryEntry)
	e.window = p.Window.Microseconds()
	d := e.log.decide(now, e.window, p.Limit)
	sh.touch(el, e, d)
	return d.result(p.Limit), nil
}

// nonBlocking marks MemoryStore as never waiting (see Limiter.ask).
func (s *MemoryStore) nonBlocking() {}

// Len returns the number of keys held, over all policies.
func (s *MemoryStore) Len() int {
	n := 0
	s.eachShard(func(_ *memoryPolicy, sh *memoryShard) { n += len(sh.keys) })
	return n
}

// Stats returns the store's counters.
func (s *MemoryStore) Stats() MemoryStats {
	return MemoryStats{Keys: s.Len(), Evicted: s.evicted.Load(), EvictedDenied: s.evictedDenied.Load()}
}

// policy returns the keys of the named policy, created on first use.
func (s *MemoryStore) policy(name string) *memoryPolicy {
	if mp := (*s.parts.Load())[name]; mp != nil {
		return mp
	}
	s.partsMu.Lock()
	defer s.partsMu.Unlock()
	parts := *s.parts.Load()
	if mp := parts[name]; mp != nil {
		return mp
	}
	if len(parts) >= maxMemoryPolicies {
		name = "" // the overflow policies share the unnamed one
		if mp := parts[name]; mp != nil {
			return mp
		}
	}
	capacity := s.maxKeys
	if n, ok := s.perPolicy[name]; ok && n > 0 {
		capacity = n
	}
	mp := &memoryPolicy{name: name, perShard: (capacity + memoryShards - 1) / memoryShards}
	for i := range mp.shards {
		mp.shards[i].keys = make(map[string]*list.Element)
	}
	next := make(map[string]*memoryPolicy, len(parts)+1)
	for k, v := range parts {
		next[k] = v
	}
	next[name] = mp
	s.parts.Store(&next)
	return mp
}

// eachShard calls f for every shard of every policy with the shard locked.
func (s *MemoryStore) eachShard(f func(mp *memoryPolicy, sh *memoryShard)) {
	for _, mp := range *s.parts.Load() {
		for i := range mp.shards {
			sh := &mp.shards[i]
			sh.mu.Lock()
			f(mp, sh)
			sh.mu.Unlock()
		}
	}
}

// element returns key's list element, created (evicting first when the
// shard is full) if needed.
func (sh *memoryShard) element(key string, p Policy, mp *memoryPolicy, s *MemoryStore, now int64) *list.Element {
	if el, ok := sh.keys[key]; ok {
		return el
	}
	for len(sh.keys) >= mp.perShard {
		denied := sh.evict(now)
		s.evicted.Add(1)
		if denied {
			s.evictedDenied.Add(1)
		}
		if s.onEvent != nil {
			s.onEvent(Event{Kind: EventEviction, Policy: p, Denied: denied})
		}
	}
	el := sh.lru.PushFront(&memoryEntry{key: key})
	sh.keys[key] = el
	return el
}

// evict forgets one key: a denied key whose Reset has passed, else the
// least recently used allowed key, else (every key is denied) the least
// recently denied one. It reports whether the key was still denied.
func (sh *memoryShard) evict(now int64) (denied bool) {
	l := &sh.lru
	if el := sh.held.Back(); el != nil && el.Value.(*memoryEntry).deniedUntil <= now {
		l = &sh.held
	} else if sh.lru.Len() == 0 {
		l, denied = &sh.held, true
	}
	el := l.Back()
	l.Remove(el)
	delete(sh.keys, el.Value.(*memoryEntry).key)
	return denied
}

// touch marks e (at el) most recently used in the list its decision d
// puts it in.
func (sh *memoryShard) touch(el *list.Element, e *memoryEntry, d decision) {
	wasHeld := e.deniedUntil != 0
	e.deniedUntil = 0
	if !d.allowed {
		e.deniedUntil = d.reset
	}
	from, to := &sh.lru, &sh.lru
	if wasHeld {
		from = &sh.held
	}
	if !d.allowed {
		to = &sh.held
	}
	if from == to {
		to.MoveToFront(el)
		return
	}
	from.Remove(el)
	sh.keys[e.key] = to.PushFront(e)
}

// maybeSweep deletes idle keys when the sweep interval has passed; only
// one caller per interval does so.
func (s *MemoryStore) maybeSweep(now int64) {
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
	s.eachShard(func(_ *memoryPolicy, sh *memoryShard) {
		for key, el := range sh.keys {
			e := el.Value.(*memoryEntry)
			if e.log.newest()+e.window <= now {
				if e.deniedUntil != 0 {
					sh.held.Remove(el)
				} else {
					sh.lru.Remove(el)
				}
				delete(sh.keys, key)
			}
		}
	})
}
