package ratelimit_test

import (
	"context"
	"fmt"
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
