package ratelimit_test

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/ratelimit"
	"github.com/groundwork-go/groundwork/ratelimit/ratelimittest"
)

// start is an arbitrary instant with a non-zero microsecond part.
var start = time.Date(2026, 3, 1, 12, 0, 0, 123457000, time.UTC)

func TestMemoryStore(t *testing.T) {
	ratelimittest.RunStoreTests(t, func(t *testing.T) ratelimittest.Backend {
		clock := ratelimittest.NewClock(start)
		return ratelimittest.Backend{
			Store:   ratelimit.NewMemoryStore(ratelimit.MemoryOptions{Now: clock.Now}),
			Advance: clock.Advance,
		}
	})
}

func TestMemoryStoreRealClock(t *testing.T) {
	ratelimittest.RunStoreTests(t, func(t *testing.T) ratelimittest.Backend {
		return ratelimittest.Backend{Store: ratelimit.NewMemoryStore(ratelimit.MemoryOptions{})}
	})
}

func TestMemoryStoreSweepsIdleKeys(t *testing.T) {
	clock := ratelimittest.NewClock(start)
	s := ratelimit.NewMemoryStore(ratelimit.MemoryOptions{Now: clock.Now, SweepInterval: time.Minute})
	ctx := context.Background()
	short := ratelimit.Policy{Limit: 5, Window: 10 * time.Second}
	long := ratelimit.Policy{Limit: 5, Window: time.Hour}
	for i := range 100 {
		if _, err := s.Allow(ctx, fmt.Sprintf("short-%d", i), short); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Allow(ctx, "long", long); err != nil {
		t.Fatal(err)
	}
	if got := s.Len(); got != 101 {
		t.Fatalf("keys before the sweep: got %d, want 101", got)
	}
	clock.Advance(time.Minute)
	if _, err := s.Allow(ctx, "long", long); err != nil {
		t.Fatal(err)
	}
	if got := s.Len(); got != 1 {
		t.Fatalf("keys after the sweep: got %d, want 1 (only the key whose window is still open)", got)
	}
}

func TestMemoryStoreBoundsKeys(t *testing.T) {
	s := ratelimit.NewMemoryStore(ratelimit.MemoryOptions{MaxKeys: 64})
	ctx := context.Background()
	p := ratelimit.Policy{Limit: 1, Window: time.Hour}
	for i := range 10_000 {
		if _, err := s.Allow(ctx, fmt.Sprintf("k%d", i), p); err != nil {
			t.Fatal(err)
		}
	}
	// MaxKeys 64 over 32 shards is 2 keys per shard.
	if got := s.Len(); got > 64 || got < 32 {
		t.Fatalf("keys after 10000 distinct: got %d, want between 32 and 64", got)
	}
	// The key just used is the most recently used of its shard and survives.
	if r, _ := s.Allow(ctx, "k9999", p); r.Allowed {
		t.Fatalf("the most recent key was evicted: got allowed, want denied")
	}
}

// A key denied within its window survives any number of other keys of its
// policy: clients rotating keys cannot buy it a fresh window. Evictions are
// counted and reported to OnEvent.
func TestMemoryStoreKeepsDeniedKeys(t *testing.T) {
	clock := ratelimittest.NewClock(start)
	var hooked, hookedDenied int
	s := ratelimit.NewMemoryStore(ratelimit.MemoryOptions{Now: clock.Now, OnEvent: func(e ratelimit.Event) {
		if e.Kind != ratelimit.EventEviction || e.Policy.Name != "strict" {
			t.Errorf("OnEvent: got %s of policy %q, want eviction of strict", e.Kind, e.Policy.Name)
		}
		hooked++
		if e.Denied {
			hookedDenied++
		}
	}})
	ctx := context.Background()
	strict := ratelimit.Policy{Name: "strict", Limit: 10, Window: time.Minute}
	for i := range strict.Limit + 1 {
		if r, _ := s.Allow(ctx, "ip:victim", strict); r.Allowed != (i < strict.Limit) {
			t.Fatalf("request %d: got allowed=%v, want %v", i, r.Allowed, i < strict.Limit)
		}
	}
	const others = 120_000
	for i := range others {
		clock.Advance(100 * time.Microsecond) // 12 s in all, within the window
		if r, err := s.Allow(ctx, "ip:"+strconv.Itoa(i), strict); err != nil || !r.Allowed {
			t.Fatalf("other key %d: got %+v, %v; want allowed", i, r, err)
		}
	}
	if r, _ := s.Allow(ctx, "ip:victim", strict); r.Allowed {
		t.Fatalf("after %d other keys: the denied key got allowed, want denied until its Reset", others)
	}
	st := s.Stats()
	if st.Keys > ratelimit.DefaultMaxKeys+32 || st.Evicted < others+1-ratelimit.DefaultMaxKeys-32 || st.EvictedDenied != 0 {
		t.Fatalf("Stats: got %+v, want at most %d keys, at least %d evicted, none denied", st, ratelimit.DefaultMaxKeys+32, others-ratelimit.DefaultMaxKeys-32)
	}
	if uint64(hooked) != st.Evicted || hookedDenied != 0 {
		t.Fatalf("OnEvent: called %d times (%d denied), want %d (0 denied)", hooked, hookedDenied, st.Evicted)
	}
	// Once its Reset has passed the key is an ordinary one again.
	clock.Advance(time.Minute)
	if r, _ := s.Allow(ctx, "ip:victim", strict); !r.Allowed {
		t.Fatalf("after the window: got denied, want allowed")
	}
}

// Each policy has its own bound: keys of one never evict keys of another.
func TestMemoryStoreBoundPerPolicy(t *testing.T) {
	s := ratelimit.NewMemoryStore(ratelimit.MemoryOptions{MaxKeys: 10_000, PolicyMaxKeys: map[string]int{"lenient": 64}})
	ctx := context.Background()
	strict := ratelimit.Policy{Name: "strict", Limit: 2, Window: time.Hour}
	lenient := ratelimit.Policy{Name: "lenient", Limit: 1000, Window: time.Hour}
	for range 2 {
		s.Allow(ctx, "strict:ip:a", strict)
	}
	for i := range 5000 {
		s.Allow(ctx, "lenient:ip:"+strconv.Itoa(i), lenient)
	}
	if r, _ := s.Allow(ctx, "strict:ip:a", strict); r.Allowed {
		t.Fatalf("strict key after 5000 lenient keys: got allowed, want denied")
	}
	st := s.Stats()
	// 64 over 32 shards is 2 per shard for lenient, plus the strict key.
	if st.Keys > 64+1 || st.Evicted < 5000-64 {
		t.Fatalf("Stats: got %+v, want at most 65 keys and at least %d evicted", st, 5000-64)
	}
}

// A shard holding nothing but denied keys still keeps its bound, evicting
// the least recently denied key and counting it.
func TestMemoryStoreBoundWhenAllDenied(t *testing.T) {
	s := ratelimit.NewMemoryStore(ratelimit.MemoryOptions{MaxKeys: 32})
	ctx := context.Background()
	p := ratelimit.Policy{Limit: 1, Window: time.Hour}
	for i := range 1000 {
		k := "k" + strconv.Itoa(i)
		s.Allow(ctx, k, p)
		if r, _ := s.Allow(ctx, k, p); r.Allowed {
			t.Fatalf("second request of %s: got allowed, want denied", k)
		}
	}
	st := s.Stats()
	if st.Keys > 32 || st.EvictedDenied == 0 || st.EvictedDenied > st.Evicted {
		t.Fatalf("Stats: got %+v, want at most 32 keys and some denied keys evicted", st)
	}
}

// BenchmarkMemoryStoreKeyBytes reports the heap a MemoryStore holds per key
// at limits 10 and 100 with every key's window full: the figures behind the
// sizes in MemoryOptions.MaxKeys.
func BenchmarkMemoryStoreKeyBytes(b *testing.B) {
	for _, limit := range []int{1, 10, 100} {
		b.Run("limit="+strconv.Itoa(limit), func(b *testing.B) {
			const keys = 20_000
			var perKey float64
			for range b.N {
				perKey = heapPerKey(b, limit, keys)
			}
			b.ReportMetric(perKey, "bytes/key")
		})
	}
}

func heapPerKey(b *testing.B, limit, keys int) float64 {
	b.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := ratelimit.NewMemoryStore(ratelimit.MemoryOptions{})
	p := ratelimit.Policy{Name: "default", Limit: limit, Window: time.Hour}
	ctx := context.Background()
	for i := range keys {
		k := "default:ip:192.0.2." + strconv.Itoa(i)
		for range limit {
			s.Allow(ctx, k, p)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(s)
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(keys)
}
