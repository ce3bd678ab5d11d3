package cache_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/cache"
	"github.com/groundwork-go/groundwork/cache/cachetest"
)

// fakeClock is a manually advanced clock for MemoryStore tests.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestMemoryConformance(t *testing.T) {
	cachetest.RunStoreTests(t, func(t *testing.T) cachetest.Backend {
		clock := &fakeClock{now: time.Unix(1700000000, 0)}
		return cachetest.Backend{
			Store:   cache.NewMemoryStore(cache.MemoryOptions{Now: clock.Now}),
			Advance: clock.Advance,
		}
	})
}

func TestMemoryMaxEntries(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: time.Unix(1700000000, 0)}
	m := cache.NewMemoryStore(cache.MemoryOptions{MaxEntries: 3, Now: clock.Now})
	for _, k := range []string{"a", "b", "c"} {
		if err := m.Set(ctx, k, []byte(k), time.Second, "t"); err != nil {
			t.Fatalf("Set(%s): %v", k, err)
		}
	}
	if err := m.Set(ctx, "d", []byte("d"), time.Hour); err != nil {
		t.Fatalf("Set(d): %v", err)
	}
	present := 0
	for _, k := range []string{"a", "b", "c", "d"} {
		if _, err := m.Get(ctx, k); err == nil {
			present++
		}
	}
	if present != 3 {
		t.Fatalf("values present after exceeding MaxEntries: got %d, want 3", present)
	}
	// Expired values are the first to go.
	clock.Advance(2 * time.Second)
	for _, k := range []string{"e", "f"} {
		if err := m.Set(ctx, k, []byte(k), time.Hour); err != nil {
			t.Fatalf("Set(%s): %v", k, err)
		}
	}
	for _, k := range []string{"d", "e", "f"} {
		if _, err := m.Get(ctx, k); err != nil {
			t.Fatalf("Get(%s) after eviction of expired values: got %v, want a value", k, err)
		}
	}
}

// TestErrorText checks that an operation's error names the package once.
func TestErrorText(t *testing.T) {
	ctx := context.Background()
	m := cache.NewMemoryStore(cache.MemoryOptions{})
	_, getErr := m.Get(ctx, "missing")
	_, _, claimErr := m.Claim(ctx, "", time.Minute)
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"Get", getErr, "cache: get: not found"},
		{"Set", m.Set(ctx, "k", nil, 0), "cache: set: TTL must be positive"},
		{"Delete", m.Delete(ctx, ""), "cache: delete: invalid key"},
		{"Claim", claimErr, "cache: claim: invalid key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == nil || tc.err.Error() != tc.want {
				t.Fatalf("got error %v, want %q", tc.err, tc.want)
			}
		})
	}
}
