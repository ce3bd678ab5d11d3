package auth_test

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/groundwork-go/groundwork/auth"
	"github.com/groundwork-go/groundwork/auth/authtest"
	"github.com/groundwork-go/groundwork/internal/testenv"
)

// TestRevocationPropagation measures how long a process that has a token's
// "not revoked" answer cached takes to see another process revoke it. The
// two stores use separate clients (separate connection pools), as two app
// servers would.
func TestRevocationPropagation(t *testing.T) {
	srv := testenv.Redis(t)
	storeA := auth.NewRedisRevocations(srv.Client(t), auth.RedisRevocationOptions{Prefix: srv.Prefix})
	storeB := auth.NewRedisRevocations(srv.Client(t), auth.RedisRevocationOptions{Prefix: srv.Prefix})
	ctx := context.Background()
	const bound = 50 * time.Millisecond
	var delays []time.Duration
	var err error
	for i := range 30 {
		sub, sid := authtest.NewID(), authtest.NewID()
		for range 3 { // warm B's client-side cache
			if revoked, err := storeB.IsRevoked(ctx, sub, sid, 0); err != nil || revoked {
				t.Fatalf("warm check = %v, %v", revoked, err)
			}
		}
		if i%2 == 0 {
			err = storeA.RevokeSession(ctx, sub, sid, time.Hour)
		} else {
			err = storeA.RaiseEpoch(ctx, sub, int64(i), time.Hour)
		}
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		for {
			revoked, err := storeB.IsRevoked(ctx, sub, sid, 0)
			if err != nil {
				t.Fatal(err)
			}
			if revoked {
				break
			}
			if time.Since(start) > bound {
				t.Fatalf("process B still sees the token as valid %v after process A revoked it", bound)
			}
		}
		delays = append(delays, time.Since(start))
	}
	slices.Sort(delays)
	t.Logf("revocation seen by another process after: median %v, max %v (real Redis: %v)",
		delays[len(delays)/2], delays[len(delays)-1], srv.Real)
}

// countingClient counts commands that reached Redis (not answered from
// the client-side cache).
type countingClient struct {
	rueidis.Client
	roundTrips atomic.Int64
}

func (c *countingClient) DoCache(ctx context.Context, cmd rueidis.Cacheable, ttl time.Duration) rueidis.RedisResult {
	r := c.Client.DoCache(ctx, cmd, ttl)
	if !r.IsCacheHit() {
		c.roundTrips.Add(1)
	}
	return r
}

func (c *countingClient) DoMultiCache(ctx context.Context, multi ...rueidis.CacheableTTL) []rueidis.RedisResult {
	resps := c.Client.DoMultiCache(ctx, multi...)
	for _, r := range resps {
		if !r.IsCacheHit() {
			c.roundTrips.Add(1)
		}
	}
	return resps
}

func (c *countingClient) DoMulti(ctx context.Context, multi ...rueidis.Completed) []rueidis.RedisResult {
	c.roundTrips.Add(int64(len(multi)))
	return c.Client.DoMulti(ctx, multi...)
}

// countedRedisStore returns a Redis revocation store on a real Redis whose
// client counts round trips, skipping without REDIS_URL: client-side
// caching needs client tracking, which miniredis lacks.
func countedRedisStore(tb testing.TB) (*auth.RedisRevocations, *countingClient) {
	tb.Helper()
	srv := testenv.Redis(tb)
	if !srv.Real {
		tb.Skip("client-side caching needs a real Redis (set REDIS_URL); miniredis has no client tracking")
	}
	client := &countingClient{Client: srv.Client(tb)}
	return auth.NewRedisRevocations(client, auth.RedisRevocationOptions{Prefix: srv.Prefix}), client
}

func TestWarmCheckHasNoRoundTrip(t *testing.T) {
	store, client := countedRedisStore(t)
	ctx := context.Background()
	if _, err := store.IsRevoked(ctx, "7", "warm", 0); err != nil {
		t.Fatal(err)
	}
	if client.roundTrips.Load() == 0 {
		t.Fatal("the cold check made no counted round trip: the counter does not see the store's calls")
	}
	before := client.roundTrips.Load()
	for range 100 {
		if revoked, err := store.IsRevoked(ctx, "7", "warm", 0); err != nil || revoked {
			t.Fatalf("IsRevoked = %v, %v", revoked, err)
		}
	}
	if n := client.roundTrips.Load() - before; n != 0 {
		t.Fatalf("100 warm checks made %d Redis round trips, want 0", n)
	}
}
