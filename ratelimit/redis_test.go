package ratelimit_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/groundwork-go/groundwork/internal/testenv"
	"github.com/groundwork-go/groundwork/ratelimit"
	"github.com/groundwork-go/groundwork/ratelimit/ratelimittest"
)

// redisBackend returns a RedisStore on srv; on miniredis the Redis clock is
// frozen at start and moved by Advance.
func redisBackend(t *testing.T, srv *testenv.RedisServer) ratelimittest.Backend {
	store := ratelimit.NewRedisStore(srv.Client(t), ratelimit.RedisOptions{Prefix: srv.Prefix + "rl:"})
	if srv.Mini == nil {
		return ratelimittest.Backend{Store: store}
	}
	now := start
	srv.Mini.SetTime(now)
	return ratelimittest.Backend{Store: store, Advance: func(d time.Duration) {
		now = now.Add(d)
		srv.Mini.SetTime(now)
	}}
}

func TestRedisStore(t *testing.T) {
	ratelimittest.RunStoreTests(t, func(t *testing.T) ratelimittest.Backend {
		return redisBackend(t, testenv.Redis(t))
	})
}

func TestRedisStoreWithoutClientCache(t *testing.T) {
	ratelimittest.RunStoreTests(t, func(t *testing.T) ratelimittest.Backend {
		srv := testenv.Redis(t)
		c := srv.Client(t, func(o *rueidis.ClientOption) { o.DisableCache = true })
		return ratelimittest.Backend{Store: ratelimit.NewRedisStore(c, ratelimit.RedisOptions{Prefix: srv.Prefix})}
	})
}

func TestRedisClusterStore(t *testing.T) {
	ratelimittest.RunStoreTests(t, func(t *testing.T) ratelimittest.Backend {
		return redisBackend(t, testenv.RedisCluster(t))
	})
}

// Two stores on separate clients stand for two app servers sharing Redis.
func TestRedisStoreSharedBetweenInstances(t *testing.T) {
	srv := testenv.Redis(t)
	opts := ratelimit.RedisOptions{Prefix: srv.Prefix}
	// A generous timeout: this test is about sharing, not failing open.
	lopts := ratelimit.Options{Timeout: 10 * time.Second}
	a := ratelimit.New(ratelimit.NewRedisStore(srv.Client(t), opts), lopts)
	b := ratelimit.New(ratelimit.NewRedisStore(srv.Client(t), opts), lopts)
	p := ratelimit.Policy{Name: "shared", Limit: 4, Window: time.Hour}
	ctx := context.Background()
	for i, l := range []*ratelimit.Limiter{a, b, a, b} {
		r, outcome := l.Allow(ctx, "1.2.3.4", p)
		if outcome != ratelimit.OutcomeAllowed || r.Remaining != 3-i {
			t.Fatalf("request %d: got %v with remaining %d, want allowed with remaining %d", i, outcome, r.Remaining, 3-i)
		}
	}
	for _, l := range []*ratelimit.Limiter{a, b} {
		if _, outcome := l.Allow(ctx, "1.2.3.4", p); outcome != ratelimit.OutcomeDenied {
			t.Fatalf("fifth request: got %v, want denied on both instances", outcome)
		}
	}
}

func TestRedisStoreKeyPrefixAndExpiry(t *testing.T) {
	srv := testenv.Redis(t)
	c := srv.Client(t)
	store := ratelimit.NewRedisStore(c, ratelimit.RedisOptions{Prefix: srv.Prefix + "custom:"})
	ctx := context.Background()
	if _, err := store.Allow(ctx, "k", ratelimit.Policy{Limit: 5, Window: 1500 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	ttl, err := c.Do(ctx, c.B().Pttl().Key(srv.Prefix+"custom:k").Build()).AsInt64()
	if err != nil {
		t.Fatal(err)
	}
	if ttl <= 0 || ttl > 1500 {
		t.Fatalf("PTTL of the key: got %d, want in (0, 1500] ms", ttl)
	}
}

// A value that is not the store's layout is replaced rather than misread.
func TestRedisStoreDamagedValue(t *testing.T) {
	for _, value := range []string{"x", "not a sliding log", "\x00\x00\x00\x02\x00\x00\x00\x09\x00\x00\x00\x00"} {
		srv := testenv.Redis(t)
		c := srv.Client(t)
		ctx := context.Background()
		if err := c.Do(ctx, c.B().Set().Key(srv.Prefix+"k").Value(value).Build()).Error(); err != nil {
			t.Fatal(err)
		}
		store := ratelimit.NewRedisStore(c, ratelimit.RedisOptions{Prefix: srv.Prefix})
		r, err := store.Allow(ctx, "k", ratelimit.Policy{Limit: 2, Window: time.Hour})
		if err != nil || !r.Allowed || r.Remaining != 1 {
			t.Fatalf("Allow over the value %q: got %+v, %v; want allowed with remaining 1", value, r, err)
		}
	}
}

// TestRedisMemoryPerKey measures MEMORY USAGE of one key holding 1,000
// entries; the target is at most 16 KB.
func TestRedisMemoryPerKey(t *testing.T) {
	srv := testenv.Redis(t)
	if !srv.Real {
		t.Skip("MEMORY USAGE needs a real Redis (set REDIS_URL)")
	}
	bytes := memoryPerFullKey(t, srv.Client(t), srv.Prefix)
	t.Logf("MEMORY USAGE of a key with 1000 entries: %d bytes", bytes)
	if bytes > 16*1024 {
		t.Fatalf("MEMORY USAGE: got %d bytes, want at most %d", bytes, 16*1024)
	}
}
