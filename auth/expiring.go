package auth

import (
	"sync"
	"time"
)

// expiringMap holds values until their deadline, with memory bounded by the
// entries still live: every write first drops a few expired entries from
// the front of an insertion-ordered queue (no pass over the whole map, so
// no pause grows with its size), and the map is rebuilt smaller once it
// has shrunk to a quarter of its peak (Go maps never give memory back).
type expiringMap[K comparable, V any] struct {
	now func() time.Time

	mu    sync.RWMutex
	m     map[K]expiring[V]
	queue []queued[K] // insertion order; deadlines are close to ascending
	head  int         // queue[:head] has been swept
	peak  int
}

type expiring[V any] struct {
	value    V
	deadline time.Time
}

type queued[K comparable] struct {
	key      K
	deadline time.Time
}

// sweepPerWrite is how many expired entries each write removes at most;
// more than one, so the queue drains faster than writes fill it.
const sweepPerWrite = 4

// shrinkFloor is the peak below which the map is never rebuilt.
const shrinkFloor = 1024

func newExpiringMap[K comparable, V any](now func() time.Time) *expiringMap[K, V] {
	return &expiringMap[K, V]{now: now, m: map[K]expiring[V]{}}
}

// get returns key's value if it has one that has not expired.
func (e *expiringMap[K, V]) get(key K) (V, bool) {
	e.mu.RLock()
	x, ok := e.m[key]
	e.mu.RUnlock()
	if !ok || !e.now().Before(x.deadline) {
		var zero V
		return zero, false
	}
	return x.value, true
}

// update sets key to merge(old, found) until at least deadline: merge gets
// the live current value (found false when there is none) and returns the
// value to keep. A deadline never moves earlier.
func (e *expiringMap[K, V]) update(key K, keep time.Duration, merge func(old V, found bool) V) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	e.sweepLocked(now)
	deadline := now.Add(keep)
	cur, ok := e.m[key]
	live := ok && now.Before(cur.deadline)
	if live && cur.deadline.After(deadline) {
		deadline = cur.deadline
	}
	e.m[key] = expiring[V]{value: merge(cur.value, live), deadline: deadline}
	e.queue = append(e.queue, queued[K]{key: key, deadline: deadline})
	e.peak = max(e.peak, len(e.m))
}

// len reports the number of entries held, expired or not.
func (e *expiringMap[K, V]) len() int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return len(e.m)
}

// sweepLocked removes up to sweepPerWrite expired entries from the front of
// the queue, compacts the queue, and rebuilds the map after a peak.
func (e *expiringMap[K, V]) sweepLocked(now time.Time) {
	for n := 0; n < sweepPerWrite && e.head < len(e.queue); n++ {
		q := e.queue[e.head]
		if now.Before(q.deadline) {
			break
		}
		e.queue[e.head] = queued[K]{}
		e.head++
		if cur, ok := e.m[q.key]; ok && !now.Before(cur.deadline) {
			delete(e.m, q.key)
		}
	}
	e.queue, e.head = compactQueue(e.queue, e.head)
	if e.peak >= shrinkFloor && len(e.m) < e.peak/4 {
		m := make(map[K]expiring[V], len(e.m))
		for k, v := range e.m {
			m[k] = v
		}
		e.m = m
		e.peak = len(m)
	}
}

// compactQueue drops the consumed front q[:head] once it is half the queue,
// and gives memory back when the queue has shrunk to a quarter of its
// capacity after a peak. It returns the queue and its new head.
func compactQueue[K comparable](q []queued[K], head int) ([]queued[K], int) {
	if head == 0 || head < len(q)/2 {
		return q, head
	}
	n := copy(q, q[head:])
	clear(q[n:])
	q = q[:n]
	if cap(q) > shrinkFloor && n < cap(q)/4 {
		q = append(make([]queued[K], 0, 2*n), q...)
	}
	return q, 0
}
