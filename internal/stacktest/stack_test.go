package stacktest

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/groundwork-go/groundwork/auth"
	"github.com/groundwork-go/groundwork/cache"
	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/internal/testenv"
	"github.com/groundwork-go/groundwork/ratelimit"
)

// newTokens returns an HS256 token issuer.
func newTokens(t *testing.T) *auth.Tokens {
	t.Helper()
	key, err := auth.HS256Key("k1", []byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := auth.NewTokens(key, auth.TokenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return tokens
}

// newRedisDeps builds the stack on one Redis (REDIS_URL, else miniredis):
// revocations, rate limits and the profile cache share its client. loads
// counts the profile loads.
func newRedisDeps(t *testing.T, loads *atomic.Int64, logs *bytes.Buffer) *deps {
	t.Helper()
	srv := testenv.Redis(t)
	client := srv.Client(t)
	tokens := newTokens(t)
	revocations := auth.NewRedisRevocations(client, auth.RedisRevocationOptions{Prefix: srv.Prefix + "auth:"})
	authn, err := auth.NewAuthenticator(tokens, auth.NewMemorySessions(auth.MemorySessionOptions{}), revocations, auth.Options{})
	if err != nil {
		t.Fatal(err)
	}
	limiter := ratelimit.New(ratelimit.NewRedisStore(client, ratelimit.RedisOptions{Prefix: srv.Prefix + "rl:"}), ratelimit.Options{})
	profiles := cache.NewTyped[profile](cache.NewRedisStore(client, cache.RedisOptions{Prefix: srv.Prefix + "cache:"}), cache.TypedOptions{})
	return &deps{
		authn: authn, limiter: limiter, profiles: profiles,
		logger: slog.New(slog.NewJSONHandler(logs, nil)),
		load: func(_ context.Context, subject string) (profile, error) {
			return profile{Subject: subject, Loads: int(loads.Add(1))}, nil
		},
	}
}

// startSession mints an access token for subject.
func startSession(t *testing.T, a *auth.Authenticator, subject string) string {
	t.Helper()
	pair, err := a.StartSession(context.Background(), auth.Credentials{Subject: subject}, auth.ClientInfo{})
	if err != nil {
		t.Fatal(err)
	}
	return pair.AccessToken
}

// envelope is the default error body.
type envelope struct {
	Detail    string `json:"detail"`
	ErrorCode string `json:"error_code"`
	Timestamp string `json:"timestamp"`
}

// TestStackOnRouters runs auth, a per-user rate limit and a typed cache on
// Redis behind http.ServeMux and chi, wired as the README shows, and checks
// every layer answers: 401s, the cached profile, the per-user budget and its
// 429, JSON 404/405 from the router and the access log's route label.
func TestStackOnRouters(t *testing.T) {
	routers := []struct {
		name      string
		handler   func(*deps) http.Handler
		wantRoute string
	}{
		{"ServeMux", (*deps).serveMux, "GET /me"},
		{"chi", (*deps).chi, "GET /me"},
	}
	for _, rt := range routers {
		t.Run(rt.name, func(t *testing.T) {
			var loads atomic.Int64
			var logs bytes.Buffer
			d := newRedisDeps(t, &loads, &logs)
			h := rt.handler(d)
			alice, bob := startSession(t, d.authn, "42"), startSession(t, d.authn, "43")

			steps := []struct {
				name, method, path, token string
				wantStatus                int
				wantCode                  string
				wantSubject               string
				wantLoads                 int
				wantRemaining             string
			}{
				{"no token", "GET", "/me", "", 401, httpx.CodeUnauthorized, "", 0, ""},
				{"bad token", "GET", "/me", "not-a-jwt", 401, httpx.CodeUnauthorized, "", 0, ""},
				{"first read loads", "GET", "/me", alice, 200, "", "42", 1, "2"},
				{"second read is cached", "GET", "/me", alice, 200, "", "42", 1, "1"},
				{"third read", "GET", "/me", alice, 200, "", "42", 1, "0"},
				{"over the budget", "GET", "/me", alice, 429, httpx.CodeRateLimited, "", 1, "0"},
				{"another user has their own budget", "GET", "/me", bob, 200, "", "43", 2, "2"},
				{"unknown path", "GET", "/nope", "", 404, httpx.CodeNotFound, "", 2, ""},
				{"wrong method", "DELETE", "/me", alice, 405, httpx.CodeMethodNotAllowed, "", 2, ""},
			}
			for _, s := range steps {
				req := httptest.NewRequest(s.method, s.path, nil)
				if s.token != "" {
					req.Header.Set("Authorization", "Bearer "+s.token)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != s.wantStatus {
					t.Fatalf("%s: got status %d, want %d (body %s)", s.name, rec.Code, s.wantStatus, rec.Body)
				}
				if got := rec.Header().Get("X-Request-Id"); got == "" {
					t.Errorf("%s: got no X-Request-Id", s.name)
				}
				if got := rec.Header().Get(ratelimit.HeaderRemaining); got != s.wantRemaining {
					t.Errorf("%s: got %s %q, want %q", s.name, ratelimit.HeaderRemaining, got, s.wantRemaining)
				}
				if s.wantCode != "" {
					var e envelope
					if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.ErrorCode != s.wantCode || e.Detail == "" || e.Timestamp == "" {
						t.Errorf("%s: got body %s (%v), want the envelope with code %s", s.name, rec.Body, err, s.wantCode)
					}
				} else {
					var p profile
					if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Subject != s.wantSubject {
						t.Errorf("%s: got body %s (%v), want the profile of %s", s.name, rec.Body, err, s.wantSubject)
					}
				}
				if got := int(loads.Load()); got != s.wantLoads {
					t.Errorf("%s: got %d profile loads, want %d", s.name, got, s.wantLoads)
				}
			}
			if got, want := strings.Count(logs.String(), `"route":"`+rt.wantRoute+`"`), 7; got != want {
				t.Errorf("access log: got %d lines with route %q, want %d:\n%s", got, rt.wantRoute, want, logs.String())
			}
		})
	}
}
