package ratelimit_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/groundwork-go/groundwork/internal/testenv"
	"github.com/groundwork-go/groundwork/ratelimit"
)

// BenchmarkRedisStore measures decisions per second of the Redis store at 64
// concurrent callers spread over 10,000 keys (100 for hot-keys, where most
// requests are denied) against REDIS_URL, else miniredis, and
// the MEMORY USAGE of one key holding 1,000 entries (real Redis only).
//
//	REDIS_URL=redis://127.0.0.1:6379 go test -run '^$' -bench RedisStore ./ratelimit
func BenchmarkRedisStore(b *testing.B) {
	cases := []struct {
		name       string
		limit      int
		keys       int64
		flushDelay time.Duration // rueidis MaxFlushDelay
		limiter    bool          // through a Limiter (timeout guard) instead of the bare store
		dedicated  bool          // RedisOptions.DedicatedClient, on a client without client-side caching
		batch      bool          // RedisOptions.Batch
	}{
		{"limit=100", 100, 10_000, 0, false, false, false},
		{"limit=1000", 1000, 10_000, 0, false, false, false},
		{"limit=100/hot-keys", 100, 100, 0, false, false, false}, // mostly denied
		{"limit=100/flushdelay=20us", 100, 10_000, 20 * time.Microsecond, false, false, false},
		{"limit=100/limiter", 100, 10_000, 0, true, false, false},
		{"limit=100/limiter/dedicated/flushdelay=200us", 100, 10_000, 200 * time.Microsecond, true, true, false},
		{"limit=100/limiter/batch", 100, 10_000, 0, true, false, true},
		{"limit=1000/limiter/batch", 1000, 10_000, 0, true, false, true},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			srv := testenv.Redis(b)
			c := srv.Client(b, func(o *rueidis.ClientOption) {
				o.MaxFlushDelay = tc.flushDelay
				o.DisableCache = o.DisableCache || tc.dedicated
			})
			var store ratelimit.Store = ratelimit.NewRedisStore(c, ratelimit.RedisOptions{Prefix: srv.Prefix, DedicatedClient: tc.dedicated, Batch: tc.batch})
			if tc.limiter {
				store = limiterStore{ratelimit.New(store, ratelimit.Options{})}
			}
			p := ratelimit.Policy{Limit: tc.limit, Window: time.Minute}
			ctx := context.Background()
			var next, allowed atomic.Int64
			b.SetParallelism(parallelism64())
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					key := strconv.FormatInt(next.Add(1)%tc.keys, 10)
					r, err := store.Allow(ctx, key, p)
					if err != nil {
						b.Error(err)
						return
					}
					if r.Allowed {
						allowed.Add(1)
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
			b.ReportMetric(float64(allowed.Load())/float64(b.N), "allowed/op")
			if srv.Real && tc.limit == 1000 {
				b.ReportMetric(float64(memoryPerFullKey(b, c, srv.Prefix)), "bytes/key")
			}
		})
	}
}

// limiterStore adapts a Limiter to the Store interface for the benchmark.
type limiterStore struct{ l *ratelimit.Limiter }

func (s limiterStore) Allow(ctx context.Context, key string, p ratelimit.Policy) (ratelimit.Result, error) {
	r, outcome := s.l.Allow(ctx, key, p)
	if outcome == ratelimit.OutcomeFailedOpen {
		return r, errors.New("failed open")
	}
	return r, nil
}

// memoryPerFullKey fills a fresh key with 1,000 allowed requests and returns
// its MEMORY USAGE in bytes.
func memoryPerFullKey(tb testing.TB, c rueidis.Client, prefix string) int64 {
	tb.Helper()
	store := ratelimit.NewRedisStore(c, ratelimit.RedisOptions{Prefix: prefix})
	ctx := context.Background()
	p := ratelimit.Policy{Limit: 1000, Window: time.Hour}
	for i := range p.Limit {
		if r, err := store.Allow(ctx, "full", p); err != nil || !r.Allowed {
			tb.Fatalf("request %d: got %+v, %v; want allowed", i, r, err)
		}
	}
	bytes, err := c.Do(ctx, c.B().MemoryUsage().Key(prefix+"full").Samples(0).Build()).AsInt64()
	if err != nil {
		tb.Fatalf("MEMORY USAGE: %v", err)
	}
	return bytes
}

// BenchmarkRedisPing is the baseline for BenchmarkRedisStore: a plain PING
// through the same client at the same concurrency.
func BenchmarkRedisPing(b *testing.B) {
	c := testenv.Redis(b).Client(b)
	ctx := context.Background()
	b.SetParallelism(parallelism64())
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := c.Do(ctx, c.B().Ping().Build()).Error(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pings/s")
}

// parallelism64 is the RunParallel parallelism giving 64 goroutines.
func parallelism64() int {
	return (64 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0)
}

// BenchmarkLimiterMemory measures decisions per second through a Limiter
// (timeout guard included) over the memory store, at 64 callers.
func BenchmarkLimiterMemory(b *testing.B) {
	l := ratelimit.New(ratelimit.NewMemoryStore(ratelimit.MemoryOptions{}), ratelimit.Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	p := ratelimit.Policy{Name: "bench", Limit: 100, Window: time.Minute}
	ctx := context.Background()
	var next atomic.Int64
	b.SetParallelism(parallelism64())
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l.Allow(ctx, strconv.FormatInt(next.Add(1)%10_000, 10), p)
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
	b.ReportMetric(float64(l.Stats().FailedOpen)/float64(b.N), "failedopen/op")
}
