package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/auth"
	"github.com/groundwork-go/groundwork/auth/authtest"
	"github.com/groundwork-go/groundwork/internal/testenv"
	"github.com/groundwork-go/groundwork/tracehook/tracehooktest"
)

// TestRedisRevocationsTraced runs the suite on a traced store: tracing
// changes no answer.
func TestRedisRevocationsTraced(t *testing.T) {
	srv := testenv.Redis(t)
	client := srv.Client(t)
	rec := &tracehooktest.Recorder{}
	authtest.RunRevocationStoreTests(t, func(t *testing.T) authtest.RevocationHarness {
		return redisHarness(srv, auth.NewRedisRevocations(client, auth.RedisRevocationOptions{Prefix: srv.Prefix, Trace: rec.Start}))
	})
	if len(rec.Spans()) == 0 {
		t.Error("the suite's checks made no spans")
	}
}

// TestRedisRevocationsTraceSpans checks RedisRevocationOptions.Trace: a
// span per check that reaches the store, telling whether client-side
// caching answered it and the result, with neither subject nor session in
// it; a check of a session this process revoked makes none.
func TestRedisRevocationsTraceSpans(t *testing.T) {
	srv := testenv.Redis(t)
	rec := &tracehooktest.Recorder{}
	opts := auth.RedisRevocationOptions{Prefix: srv.Prefix, Trace: rec.Start}
	traced := auth.NewRedisRevocations(srv.Client(t), opts)
	opts.Strict = true
	strict := auth.NewRedisRevocations(srv.Client(t), opts)
	other := auth.NewRedisRevocations(srv.Client(t), auth.RedisRevocationOptions{Prefix: srv.Prefix})
	ctx := context.Background()

	check := func(s *auth.RedisRevocations, sid string, want bool) {
		t.Helper()
		if got, err := s.IsRevoked(ctx, "u1", sid, 1); err != nil || got != want {
			t.Fatalf("IsRevoked(%s) = %v, %v; want %v", sid, got, err, want)
		}
	}
	check(traced, "s1", false)
	check(traced, "s1", false) // cached by a real Redis's client tracking
	if err := other.RevokeSession(ctx, "u1", "s1", time.Minute); err != nil {
		t.Fatal(err)
	}
	check(strict, "s1", true)
	if err := traced.RevokeSession(ctx, "u1", "s2", time.Minute); err != nil {
		t.Fatal(err)
	}
	check(traced, "s2", true) // its own revocation: answered before the store

	want := []struct{ cached, revoked bool }{{false, false}, {srv.Real, false}, {false, true}}
	spans := rec.Spans()
	if len(spans) != len(want) {
		t.Fatalf("spans = %v, want %d", rec.Names(), len(want))
	}
	for i, w := range want {
		s := spans[i]
		cached, _ := s.Attr("groundwork.auth.cached")
		revoked, _ := s.Attr("groundwork.auth.revoked")
		if s.Name != "auth.revocation_check" || s.Ends != 1 || s.Err != nil || cached != w.cached || revoked != w.revoked {
			t.Errorf("span %d = %s cached=%v revoked=%v err=%v (ended %d times), want auth.revocation_check cached=%v revoked=%v",
				i+1, s.Name, cached, revoked, s.Err, s.Ends, w.cached, w.revoked)
		}
		for _, a := range s.Attrs {
			if v, ok := a.Value.(string); ok && (v == "u1" || v == "s1") {
				t.Errorf("span %d reports %q in %s", i+1, v, a.Key)
			}
		}
	}
}
