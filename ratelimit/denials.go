package ratelimit

import (
	"hash/maphash"
	"sync"
	"time"
)

// Bounds of a store's local denials.
const (
	denialShards       = 16
	maxDenialsPerShard = 4096 // 65,536 keys in all, about 100 bytes each
)

// denials remembers the keys a store denied, until their Reset, so that a
// process denies them again without a round trip. That stays exact: in a
// sliding log nothing makes room before Reset (entries leave the window only
// with time, and other processes can only add entries), unless the policy
// changes, so an entry is used only under the limit and window it was
// denied under.
//
// The local deadline is the local clock at the answer plus Reset minus the
// store's Time at the decision, so the two clocks are never compared; it
// falls no earlier than Reset on the store's clock, since the decision was
// made before the answer arrived.
type denials struct {
	now    func() time.Time
	seed   maphash.Seed
	shards [denialShards]denialShard
}

type denialShard struct {
	mu   sync.Mutex
	keys map[string]denial
}

type denial struct {
	until  time.Time // local clock
	reset  int64     // µs, the store's clock
	limit  int
	window time.Duration
}

func newDenials(now func() time.Time) *denials {
	d := &denials{now: now, seed: maphash.MakeSeed()}
	for i := range d.shards {
		d.shards[i].keys = make(map[string]denial)
	}
	return d
}

func (d *denials) shard(key string) *denialShard {
	return &d.shards[maphash.String(d.seed, key)%denialShards]
}

// check returns the denial of key under p when one is still in force. Its
// Time is the store's clock estimated from the local one, and RetryAfter
// the local time left, in whole microseconds rounded up.
func (d *denials) check(key string, p Policy) (Result, bool) {
	sh := d.shard(key)
	sh.mu.Lock()
	e, ok := sh.keys[key]
	if !ok {
		sh.mu.Unlock()
		return Result{}, false
	}
	left := e.until.Sub(d.now())
	if left <= 0 {
		delete(sh.keys, key)
	}
	sh.mu.Unlock()
	if left <= 0 || e.limit != p.Limit || e.window != p.Window {
		return Result{}, false
	}
	leftMicros := ceilDiv(int64(left), int64(time.Microsecond))
	return decision{allowed: false, reset: e.reset, now: e.reset - leftMicros}.result(p.Limit), true
}

// add remembers the denial dec of key under p, answered at the local time
// at.
func (d *denials) add(key string, p Policy, dec decision, at time.Time) {
	e := denial{until: at.Add(time.Duration(dec.reset-dec.now) * time.Microsecond), reset: dec.reset, limit: p.Limit, window: p.Window}
	sh := d.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if _, ok := sh.keys[key]; !ok && len(sh.keys) >= maxDenialsPerShard {
		sh.evictOne(at)
	}
	sh.keys[key] = e
}

// evictOne deletes an expired entry among the first few the map yields, or
// else the first: forgetting a denial costs only a round trip.
func (sh *denialShard) evictOne(now time.Time) {
	first, seen := "", 0
	for k, e := range sh.keys {
		if !now.Before(e.until) {
			delete(sh.keys, k)
			return
		}
		if seen == 0 {
			first = k
		}
		if seen++; seen == 8 {
			break
		}
	}
	delete(sh.keys, first)
}
