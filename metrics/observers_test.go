package metrics_test

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/auth"
	"github.com/groundwork-go/groundwork/cache"
	"github.com/groundwork-go/groundwork/metrics"
	"github.com/groundwork-go/groundwork/ratelimit"
)

var errBackend = errors.New("backend down")

// failingLimitStore is a ratelimit.Store whose backend is down.
type failingLimitStore struct{}

func (failingLimitStore) Allow(context.Context, string, ratelimit.Policy) (ratelimit.Result, error) {
	return ratelimit.Result{}, errBackend
}

func TestObserveRateLimitEvent(t *testing.T) {
	m, reg := newMetrics(t)
	quiet := slog.New(slog.DiscardHandler)
	ctx := context.Background()

	working := ratelimit.New(ratelimit.NewMemoryStore(ratelimit.MemoryOptions{}),
		ratelimit.Options{OnEvent: m.ObserveRateLimitEvent, Logger: quiet})
	login := ratelimit.Policy{Name: "login", Limit: 2, Window: time.Minute}
	for range 3 {
		working.Allow(ctx, "203.0.113.7", login)
	}
	failing := ratelimit.New(failingLimitStore{}, ratelimit.Options{OnEvent: m.ObserveRateLimitEvent, Logger: quiet})
	failing.Allow(ctx, "203.0.113.7", ratelimit.Policy{Limit: 10, Window: time.Minute})

	// A store bounded to one key per shard evicts the first key when a
	// second one of the same shard arrives.
	small := ratelimit.NewMemoryStore(ratelimit.MemoryOptions{MaxKeys: 1, OnEvent: m.ObserveRateLimitEvent})
	for i := range 300 {
		small.Allow(ctx, strconv.Itoa(i), login)
	}
	evicted := small.Stats().Evicted
	if evicted == 0 {
		t.Fatal("the bounded store evicted nothing")
	}
	const evictions = "groundwork_ratelimit_evictions_total"
	if got := value(t, reg, evictions, "policy", "login", "denied", "false"); got != float64(evicted) {
		t.Errorf("%s{policy=login,denied=false}: got %v, want %d", evictions, got, evicted)
	}

	const name = "groundwork_ratelimit_decisions_total"
	tests := []struct {
		policy, outcome string
		want            float64
	}{
		{"login", "allowed", 2},
		{"login", "denied", 1},
		{"10/1m0s", "failed_open", 1},
	}
	for _, tt := range tests {
		if got := value(t, reg, name, "policy", tt.policy, "outcome", tt.outcome); got != tt.want {
			t.Errorf("%s{policy=%q,outcome=%q}: got %v, want %v", name, tt.policy, tt.outcome, got, tt.want)
		}
	}
	if got := seriesCount(t, reg, name); got != len(tests) {
		t.Errorf("%s: got %d series, want %d", name, got, len(tests))
	}
}

// failingRevocations is a revocation store whose lookups fail.
type failingRevocations struct{ *auth.MemoryRevocations }

func (failingRevocations) IsRevoked(context.Context, string, string, int64) (bool, error) {
	return false, errBackend
}

func TestObserveAuthEvent(t *testing.T) {
	m, reg := newMetrics(t)
	ctx := context.Background()
	key, err := auth.HS256Key("k1", []byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatalf("HS256Key: %v", err)
	}
	tokens, err := auth.NewTokens(key, auth.TokenOptions{})
	if err != nil {
		t.Fatalf("NewTokens: %v", err)
	}
	opts := auth.Options{OnEvent: m.ObserveAuthEvent, Logger: slog.New(slog.DiscardHandler)}
	sessions := auth.NewMemorySessions(auth.MemorySessionOptions{})
	store := auth.NewMemoryRevocations(auth.MemoryRevocationOptions{})
	working, err := auth.NewAuthenticator(tokens, sessions, store, opts)
	if err != nil {
		t.Fatal(err)
	}
	broken, err := auth.NewAuthenticator(tokens, sessions, failingRevocations{store}, opts)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := working.StartSession(ctx, auth.Credentials{Subject: "user-1"}, auth.ClientInfo{})
	if err != nil {
		t.Fatalf("StartSession: %v", err)
	}
	if _, err := working.Verify(ctx, pair.AccessToken, auth.AccessToken); err != nil {
		t.Fatalf("Verify a live token: %v", err)
	}
	if _, err := broken.Verify(ctx, pair.AccessToken, auth.AccessToken); err == nil {
		t.Fatalf("Verify with a failing store: got nil error, want one")
	}
	if _, err := working.Refresh(ctx, pair.RefreshToken); err != nil { // check ok, rotated
		t.Fatalf("Refresh: %v", err)
	}
	if _, err := working.Refresh(ctx, pair.RefreshToken); err == nil { // check ok, reuse
		t.Fatalf("Refresh with a used token: got nil error, want one")
	}
	for range 2 {
		if _, err := working.Verify(ctx, pair.AccessToken, auth.AccessToken); err == nil {
			t.Fatalf("Verify a token of an ended session: got nil error, want one")
		}
	}
	m.ObserveAuthEvent(auth.Event{Kind: "something new"})

	const checks = "groundwork_auth_revocation_checks_total"
	for result, want := range map[string]float64{"ok": 3, "revoked": 2, "error": 1} {
		if got := value(t, reg, checks, "result", result); got != want {
			t.Errorf("%s{result=%q}: got %v, want %v", checks, result, got, want)
		}
	}
	const events = "groundwork_auth_session_events_total"
	for event, want := range map[string]float64{"session_started": 1, "refresh_reuse": 1, "session_ended": 0, "other": 1} {
		if got := value(t, reg, events, "event", event); got != want {
			t.Errorf("%s{event=%q}: got %v, want %v", events, event, got, want)
		}
	}
}

func TestCacheObservers(t *testing.T) {
	m, reg := newMetrics(t)
	ctx := context.Background()
	store := cache.NewMemoryStore(cache.MemoryOptions{})
	users := cache.NewTyped[string](store, cache.TypedOptions{TTL: time.Minute, OnEvent: m.CacheObserver("users")})
	plain := cache.NewTyped[string](store, cache.TypedOptions{TTL: time.Minute, OnEvent: m.ObserveCacheEvent})

	load := func(context.Context) (string, error) { return "alice", nil }
	for range 3 {
		if v, err := users.GetOrLoad(ctx, "user:1", load); err != nil || v != "alice" {
			t.Fatalf("GetOrLoad: got (%q, %v), want (\"alice\", nil)", v, err)
		}
	}
	fail := func(context.Context) (string, error) { return "", errBackend }
	if _, err := plain.GetOrLoad(ctx, "user:2", fail); !errors.Is(err, errBackend) {
		t.Fatalf("GetOrLoad with a failing loader: got %v, want %v", err, errBackend)
	}
	m.CacheObserver("users")(cache.Event(200))

	const name = "groundwork_cache_events_total"
	tests := []struct {
		cache, event string
		want         float64
	}{
		{"users", "miss", 1},
		{"users", "load", 1},
		{"users", "hit", 2},
		{"users", "unknown", 1},
		{metrics.DefaultCacheName, "miss", 1},
		{metrics.DefaultCacheName, "load_error", 1},
	}
	for _, tt := range tests {
		if got := value(t, reg, name, "cache", tt.cache, "event", tt.event); got != tt.want {
			t.Errorf("%s{cache=%q,event=%q}: got %v, want %v", name, tt.cache, tt.event, got, tt.want)
		}
	}
}
