package cache_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/cache"
	"github.com/groundwork-go/groundwork/internal/testenv"
)

// countingCodec is JSON that counts decodes.
type countingCodec struct{ decodes atomic.Int32 }

func (c *countingCodec) Marshal(v any) ([]byte, error) { return cache.JSON.Marshal(v) }
func (c *countingCodec) Unmarshal(data []byte, v any) error {
	c.decodes.Add(1)
	return cache.JSON.Unmarshal(data, v)
}

func TestShareDecoded(t *testing.T) {
	srv := testenv.Redis(t)
	opts := cache.RedisOptions{Prefix: srv.Prefix + "cache:"}
	other := cache.NewRedisStore(srv.Client(t), opts)
	cases := []struct {
		name        string
		store       cache.Store
		writer      cache.Store // another process, or nil
		skipsDecode bool        // the store returns the same string while unchanged
	}{
		{"Memory", cache.NewMemoryStore(cache.MemoryOptions{}), nil, true},
		{"Redis", cache.NewRedisStore(srv.Client(t), opts), other, srv.Real},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			codec := &countingCodec{}
			c := cache.NewTyped[user](tc.store, cache.TypedOptions{ShareDecoded: true, Codec: codec})
			get := func(want string) {
				t.Helper()
				got, err := c.Get(ctx, "user:1")
				if err != nil || got.Email != want {
					t.Fatalf("Get: got (%+v, %v), want email %q", got, err, want)
				}
			}
			if err := c.Set(ctx, "user:1", user{ID: 1, Email: "a"}); err != nil {
				t.Fatalf("Set: %v", err)
			}
			get("a")
			before := codec.decodes.Load()
			for range 10 {
				get("a")
			}
			if n := codec.decodes.Load() - before; tc.skipsDecode && n != 0 {
				t.Errorf("decodes for 10 warm reads: got %d, want 0", n)
			}
			if err := c.Set(ctx, "user:1", user{ID: 1, Email: "b"}); err != nil {
				t.Fatalf("Set: %v", err)
			}
			get("b")
			if tc.writer == nil {
				return
			}
			// A write by another process replaces the shared value too.
			if err := cache.NewTyped[user](tc.writer, cache.TypedOptions{}).Set(ctx, "user:1", user{ID: 1, Email: "c"}); err != nil {
				t.Fatalf("other Set: %v", err)
			}
			deadline := time.Now().Add(time.Second)
			for {
				got, err := c.Get(ctx, "user:1")
				if err == nil && got.Email == "c" {
					break
				}
				if err != nil || got.Email != "b" || time.Now().After(deadline) {
					t.Fatalf("Get after another process's write: got (%+v, %v), want email c within 1s", got, err)
				}
			}
		})
	}
}

// A few hundred hot keys share the memo with few collisions. Where keys
// collide depends on the memo's random hash seed, so the test averages over
// ten caches (ten seeds): with 4,096 slots the mean number of warm reads of
// 300 keys that decode again is about 21 (the mean of ten never exceeded 29
// in 5,000 simulated runs); with 1,024 slots it is about 76 (never below 65).
// The bound of 45 separates the two without depending on luck.
func TestShareDecodedManyKeys(t *testing.T) {
	ctx := context.Background()
	const (
		keys   = 300
		caches = 10
		bound  = 45 // mean re-decodes per cache
	)
	var total int32
	for range caches {
		codec := &countingCodec{}
		c := cache.NewTyped[user](cache.NewMemoryStore(cache.MemoryOptions{}), cache.TypedOptions{ShareDecoded: true, Codec: codec})
		for i := range keys {
			key := "user:" + strconv.Itoa(i)
			if err := c.Set(ctx, key, user{ID: int64(i)}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Get(ctx, key); err != nil {
				t.Fatal(err)
			}
		}
		before := codec.decodes.Load()
		for i := range keys {
			if got, err := c.Get(ctx, "user:"+strconv.Itoa(i)); err != nil || got.ID != int64(i) {
				t.Fatalf("Get user:%d: %+v, %v", i, got, err)
			}
		}
		total += codec.decodes.Load() - before
	}
	if mean := float64(total) / caches; mean > bound {
		t.Fatalf("warm reads of %d keys decoded again %.1f times on average over %d caches, want at most %d", keys, mean, caches, bound)
	}
}
