package cache

import (
	"sync"
	"sync/atomic"
	"time"
)

// pendingWrites remembers the keys a RedisStore wrote or deleted whose copy
// in the client-side cache may still be the old value: Redis sends the
// invalidation for a write after the write's reply, so for a moment a cached
// read can return what was just overwritten. A key stays pending until a
// read fetches it from Redis after the write completed, or until the
// client-side TTL has passed since the write (by then any older cached copy
// has expired).
type pendingWrites struct {
	n         atomic.Int64 // entries in m; zero makes lookup a single load
	m         sync.Map     // Redis key -> *pendingWrite
	window    int64        // client-side TTL, nanoseconds
	nextSweep atomic.Int64 // entry count that triggers the next sweep
}

type pendingWrite struct {
	done atomic.Int64 // Unix nanoseconds when the write completed; 0 while in flight
}

const minSweep = 1024

func newPendingWrites(window time.Duration) *pendingWrites {
	p := &pendingWrites{window: int64(window)}
	p.nextSweep.Store(minSweep)
	return p
}

// begin records that a write of key is starting.
func (p *pendingWrites) begin(key string) *pendingWrite {
	w := &pendingWrite{}
	if _, replaced := p.m.Swap(key, w); !replaced {
		if p.n.Add(1) >= p.nextSweep.Load() {
			p.sweep()
		}
	}
	return w
}

// finish records that the write w has completed (or failed: either way,
// reads must not trust older cached copies).
func (p *pendingWrites) finish(w *pendingWrite) {
	w.done.Store(time.Now().UnixNano())
}

func (w *pendingWrite) finished() bool { return w.done.Load() != 0 }

// lookup returns the pending write of key, or nil when reads may trust the
// client-side cache.
func (p *pendingWrites) lookup(key string) *pendingWrite {
	if p.n.Load() == 0 {
		return nil
	}
	v, ok := p.m.Load(key)
	if !ok {
		return nil
	}
	w := v.(*pendingWrite)
	if done := w.done.Load(); done != 0 && time.Now().UnixNano()-done > p.window {
		p.forget(key, w)
		return nil
	}
	return w
}

// forget drops key's entry if it is still w (a newer write keeps its own).
func (p *pendingWrites) forget(key string, w *pendingWrite) {
	if p.m.CompareAndDelete(key, w) {
		p.n.Add(-1)
	}
}

// sweep drops entries older than the window and sets the next threshold.
func (p *pendingWrites) sweep() {
	now := time.Now().UnixNano()
	p.m.Range(func(k, v any) bool {
		w := v.(*pendingWrite)
		if done := w.done.Load(); done != 0 && now-done > p.window {
			p.forget(k.(string), w)
		}
		return true
	})
	p.nextSweep.Store(max(minSweep, 2*p.n.Load()))
}
