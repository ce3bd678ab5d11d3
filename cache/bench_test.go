package cache_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/groundwork-go/groundwork/cache"
	"github.com/groundwork-go/groundwork/internal/testenv"
)

// Run against a real Redis for meaningful figures:
//
//	REDIS_URL=redis://127.0.0.1:6379 go test -run '^$' -bench . ./cache
//
// Without REDIS_URL the Redis benchmarks use miniredis with plain round
// trips.

// runBoth runs fn serially and from 64×GOMAXPROCS goroutines.
func runBoth(b *testing.B, fn func() error) {
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := fn(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel64", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(64)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := fn(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

func benchStore(b *testing.B, modify ...func(*rueidis.ClientOption)) *cache.RedisStore {
	srv := testenv.Redis(b)
	s := cache.NewRedisStore(srv.Client(b, modify...), cache.RedisOptions{Prefix: srv.Prefix + "cache:"})
	if err := s.Set(context.Background(), "user:1", []byte(`{"id":1,"email":"ada@example.com"}`), time.Hour); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkRedisGet compares a read answered by the client-side cache with
// a plain GET round trip.
func BenchmarkRedisGet(b *testing.B) {
	ctx := context.Background()
	b.Run("ClientCacheHit", func(b *testing.B) {
		s := benchStore(b)
		runBoth(b, func() error { _, err := s.Get(ctx, "user:1"); return err })
	})
	b.Run("PlainGET", func(b *testing.B) {
		s := benchStore(b, disableCache)
		runBoth(b, func() error { _, err := s.Get(ctx, "user:1"); return err })
	})
}

// BenchmarkGetOrLoadWarm measures GetOrLoad on a warm key, including JSON
// decoding of the value.
func BenchmarkGetOrLoadWarm(b *testing.B) {
	ctx := context.Background()
	load := func(context.Context) (user, error) { return user{ID: 1, Email: "ada@example.com"}, nil }
	stores := []struct {
		name  string
		new   func(b *testing.B) cache.Store
		share bool
	}{
		{"Redis", func(b *testing.B) cache.Store { return benchStore(b) }, false},
		{"Redis/ShareDecoded", func(b *testing.B) cache.Store { return benchStore(b) }, true},
		{"Memory", func(b *testing.B) cache.Store { return cache.NewMemoryStore(cache.MemoryOptions{}) }, false},
		{"Memory/ShareDecoded", func(b *testing.B) cache.Store { return cache.NewMemoryStore(cache.MemoryOptions{}) }, true},
	}
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			c := cache.NewTyped[user](st.new(b), cache.TypedOptions{ShareDecoded: st.share})
			if _, err := c.GetOrLoad(ctx, "user:1", load); err != nil {
				b.Fatal(err)
			}
			runBoth(b, func() error { _, err := c.GetOrLoad(ctx, "user:1", load); return err })
		})
	}
}

// BenchmarkGetOrLoadMiss measures a GetOrLoad that misses (the key is
// deleted before each call): the shared load and the store that follows.
func BenchmarkGetOrLoadMiss(b *testing.B) {
	ctx := context.Background()
	load := func(context.Context) (user, error) { return user{ID: 1, Email: "ada@example.com"}, nil }
	stores := []struct {
		name string
		new  func(b *testing.B) cache.Store
	}{
		{"Redis", func(b *testing.B) cache.Store { return benchStore(b) }},
		{"Memory", func(b *testing.B) cache.Store { return cache.NewMemoryStore(cache.MemoryOptions{}) }},
	}
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			c := cache.NewTyped[user](st.new(b), cache.TypedOptions{})
			b.ReportAllocs()
			for b.Loop() {
				if err := c.Delete(ctx, "user:1"); err != nil {
					b.Fatal(err)
				}
				if _, err := c.GetOrLoad(ctx, "user:1", load); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
