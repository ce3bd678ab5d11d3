package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/groundwork-go/groundwork/auth"
	"github.com/groundwork-go/groundwork/auth/authtest"
	"github.com/groundwork-go/groundwork/internal/testenv"
)

func TestMemoryRevocations(t *testing.T) {
	authtest.RunRevocationStoreTests(t, func(t *testing.T) auth.RevocationStore {
		return auth.NewMemoryRevocations(nil)
	})
}

func TestRedisRevocations(t *testing.T) {
	srv := testenv.Redis(t)
	client := srv.Client(t)
	authtest.RunRevocationStoreTests(t, func(t *testing.T) auth.RevocationStore {
		return auth.NewRedisRevocations(client, auth.RedisRevocationOptions{Prefix: srv.Prefix})
	})
}

func TestRedisRevocationsStrict(t *testing.T) {
	srv := testenv.Redis(t)
	client := srv.Client(t)
	authtest.RunRevocationStoreTests(t, func(t *testing.T) auth.RevocationStore {
		return auth.NewRedisRevocations(client, auth.RedisRevocationOptions{Prefix: srv.Prefix, Strict: true})
	})
}

func TestRedisRevocationsWithoutClientCache(t *testing.T) {
	srv := testenv.Redis(t)
	client := srv.Client(t, func(o *rueidis.ClientOption) { o.DisableCache = true })
	authtest.RunRevocationStoreTests(t, func(t *testing.T) auth.RevocationStore {
		return auth.NewRedisRevocations(client, auth.RedisRevocationOptions{Prefix: srv.Prefix})
	})
}

func TestRedisRevocationsCluster(t *testing.T) {
	srv := testenv.RedisCluster(t)
	client := srv.Client(t)
	authtest.RunRevocationStoreTests(t, func(t *testing.T) auth.RevocationStore {
		return auth.NewRedisRevocations(client, auth.RedisRevocationOptions{Prefix: srv.Prefix})
	})
}

func TestMemoryRevocationsSweepsExpired(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	s := auth.NewMemoryRevocations(clock)
	ctx := context.Background()
	for i := range 100 {
		s.RevokeToken(ctx, "u", string(rune('a'+i%26))+time.Duration(i).String(), now.Add(time.Minute))
	}
	if s.Len() != 100 {
		t.Fatalf("Len = %d, want 100", s.Len())
	}
	now = now.Add(2 * time.Minute) // every entry has expired
	s.RevokeToken(ctx, "u", "fresh", now.Add(time.Minute))
	if s.Len() != 1 {
		t.Fatalf("Len after sweep = %d, want 1", s.Len())
	}
}

func TestRedisRevocationKeyExpiresWithToken(t *testing.T) {
	srv := testenv.Redis(t)
	client := srv.Client(t)
	s := auth.NewRedisRevocations(client, auth.RedisRevocationOptions{Prefix: srv.Prefix})
	ctx := context.Background()
	exp := time.Now().Add(90 * time.Second).Truncate(time.Millisecond)
	if err := s.RevokeToken(ctx, "42", "abc", exp); err != nil {
		t.Fatal(err)
	}
	got, err := client.Do(ctx, client.B().Pexpiretime().Key(srv.Prefix+"{42}:jti:abc").Build()).AsInt64()
	if err != nil {
		t.Fatal(err)
	}
	if got != exp.UnixMilli() {
		t.Fatalf("key expires at %d, want the token's exp %d", got, exp.UnixMilli())
	}
}
