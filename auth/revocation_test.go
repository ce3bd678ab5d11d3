package auth_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/groundwork-go/groundwork/auth"
	"github.com/groundwork-go/groundwork/auth/authtest"
	"github.com/groundwork-go/groundwork/internal/testenv"
)

func TestMemoryRevocations(t *testing.T) {
	authtest.RunRevocationStoreTests(t, func(t *testing.T) authtest.RevocationHarness {
		return authtest.RevocationHarness{Store: auth.NewMemoryRevocations(auth.MemoryRevocationOptions{})}
	})
}

func TestRedisRevocations(t *testing.T) {
	srv := testenv.Redis(t)
	client := srv.Client(t)
	authtest.RunRevocationStoreTests(t, func(t *testing.T) authtest.RevocationHarness {
		return redisHarness(srv, auth.NewRedisRevocations(client, auth.RedisRevocationOptions{Prefix: srv.Prefix}))
	})
}

func TestRedisRevocationsStrict(t *testing.T) {
	srv := testenv.Redis(t)
	client := srv.Client(t)
	authtest.RunRevocationStoreTests(t, func(t *testing.T) authtest.RevocationHarness {
		return redisHarness(srv, auth.NewRedisRevocations(client, auth.RedisRevocationOptions{Prefix: srv.Prefix, Strict: true}))
	})
}

func TestRedisRevocationsWithoutClientCache(t *testing.T) {
	srv := testenv.Redis(t)
	client := srv.Client(t, func(o *rueidis.ClientOption) { o.DisableCache = true })
	authtest.RunRevocationStoreTests(t, func(t *testing.T) authtest.RevocationHarness {
		return redisHarness(srv, auth.NewRedisRevocations(client, auth.RedisRevocationOptions{Prefix: srv.Prefix}))
	})
}

func TestRedisRevocationsCluster(t *testing.T) {
	srv := testenv.RedisCluster(t)
	client := srv.Client(t)
	authtest.RunRevocationStoreTests(t, func(t *testing.T) authtest.RevocationHarness {
		return redisHarness(srv, auth.NewRedisRevocations(client, auth.RedisRevocationOptions{Prefix: srv.Prefix}))
	})
}

// redisHarness lets the suite move an in-process Redis's clock.
func redisHarness(srv *testenv.RedisServer, store auth.RevocationStore) authtest.RevocationHarness {
	h := authtest.RevocationHarness{Store: store}
	if srv.Mini != nil {
		h.Elapse = srv.Mini.FastForward
	}
	return h
}

func TestMemorySessions(t *testing.T) {
	authtest.RunSessionStoreTests(t, func(t *testing.T) authtest.SessionHarness {
		return authtest.SessionHarness{
			Store:      auth.NewMemorySessions(auth.MemorySessionOptions{}),
			NewSubject: func(*testing.T) string { return authtest.NewID() },
		}
	})
}

// TestMemoryRevocationsMemoryFollowsLiveEntries checks that expired
// entries leave without a pass over the whole store: each write sweeps a
// few, and the map is rebuilt smaller after a peak.
func TestMemoryRevocationsMemoryFollowsLiveEntries(t *testing.T) {
	now := time.Now()
	s := auth.NewMemoryRevocations(auth.MemoryRevocationOptions{Now: func() time.Time { return now }})
	ctx := context.Background()
	for i := range 10_000 {
		s.RevokeSession(ctx, "u", strconv.Itoa(i), time.Minute)
	}
	if s.Len() != 10_000 {
		t.Fatalf("Len = %d, want 10000", s.Len())
	}
	now = now.Add(2 * time.Minute) // every entry has expired
	for i := range 3_000 {
		s.RevokeSession(ctx, "v", strconv.Itoa(i), time.Minute)
	}
	if got := s.Len(); got != 3_000 {
		t.Fatalf("Len after 3000 writes past expiry = %d, want 3000 (the expired 10000 swept as writes came)", got)
	}
	if revoked, _ := s.IsRevoked(ctx, "u", "1", 0); revoked {
		t.Fatal("an expired session is still revoked")
	}
}

func TestRedisRevocationKeysExpireByRedisClock(t *testing.T) {
	srv := testenv.Redis(t)
	client := srv.Client(t)
	s := auth.NewRedisRevocations(client, auth.RedisRevocationOptions{Prefix: srv.Prefix})
	ctx := context.Background()
	if err := s.RevokeSession(ctx, "42", "abc", 90*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := s.RaiseEpoch(ctx, "42", 3, 80*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := s.RaiseEpoch(ctx, "42", 2, 95*time.Second); err != nil { // lower epoch: keeps 3, extends
		t.Fatal(err)
	}
	for key, want := range map[string]time.Duration{
		srv.Prefix + "{42}:sid:abc": 90 * time.Second,
		srv.Prefix + "{42}:epoch":   95 * time.Second,
	} {
		got, err := client.Do(ctx, client.B().Pttl().Key(key).Build()).AsInt64()
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Duration(got) * time.Millisecond; d > want || d < want-5*time.Second {
			t.Fatalf("%s expires in %v, want about %v", key, d, want)
		}
	}
	if v, err := client.Do(ctx, client.B().Get().Key(srv.Prefix+"{42}:epoch").Build()).ToString(); err != nil || v != "3" {
		t.Fatalf("epoch key = %q, %v; want 3", v, err)
	}
}
