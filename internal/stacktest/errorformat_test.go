package stacktest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/auth"
	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/ratelimit"
)

// problem is a service's own error shape (RFC 9457 style), unlike the
// httpx envelope.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
}

// writeProblem is the service's ErrorWriter.
func writeProblem(w http.ResponseWriter, _ *http.Request, e *httpx.Error) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(e.Status)
	json.NewEncoder(w).Encode(problem{Type: "urn:acme:" + e.Code, Title: e.Detail, Status: e.Status})
}

var errDown = errors.New("backend down")

// downRevocations is a revocation store whose backend is unreachable.
type downRevocations struct{ *auth.MemoryRevocations }

func (downRevocations) IsRevoked(context.Context, string, string, int64) (bool, error) {
	return false, errDown
}

// downLimits is a rate-limit store whose backend is unreachable.
type downLimits struct{}

func (downLimits) Allow(context.Context, string, ratelimit.Policy) (ratelimit.Result, error) {
	return ratelimit.Result{}, errDown
}

// TestCustomErrorFormat mounts auth and ratelimit with one ErrorWriter that
// writes another JSON shape and checks that every error path they have
// uses it, with the headers the response must carry.
func TestCustomErrorFormat(t *testing.T) {
	quiet := slog.New(slog.DiscardHandler)
	tokens := newTokens(t)
	opts := auth.Options{ErrorWriter: writeProblem, Logger: quiet}
	working, err := auth.NewAuthenticator(tokens, auth.NewMemorySessions(auth.MemorySessionOptions{}), auth.NewMemoryRevocations(auth.MemoryRevocationOptions{}), opts)
	if err != nil {
		t.Fatal(err)
	}
	down, err := auth.NewAuthenticator(tokens, auth.NewMemorySessions(auth.MemorySessionOptions{}), downRevocations{auth.NewMemoryRevocations(auth.MemoryRevocationOptions{})}, opts)
	if err != nil {
		t.Fatal(err)
	}
	limiter := ratelimit.New(ratelimit.NewMemoryStore(ratelimit.MemoryOptions{}), ratelimit.Options{ErrorWriter: writeProblem, Logger: quiet})
	failing := ratelimit.New(downLimits{}, ratelimit.Options{ErrorWriter: writeProblem, Logger: quiet})

	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	once := ratelimit.Policy{Name: "once", Limit: 1, Window: time.Minute}
	closed := ratelimit.Policy{Name: "closed", Limit: 5, Window: time.Minute, Fail: ratelimit.FailClosed}
	mux := http.NewServeMux()
	mux.Handle("GET /me", working.Middleware(limiter.Middleware(once, ratelimit.ByUser(auth.SubjectFromRequest))(ok)))
	mux.Handle("GET /down", down.Middleware(ok))
	mux.Handle("GET /closed", failing.Middleware(closed, ratelimit.ByIP)(ok))
	token := startSession(t, working, "42")

	tests := []struct {
		name, path, token string
		wantStatus        int
		wantCode          string
		wantHeaders       map[string]string
	}{
		{"success passes", "/me", token, 200, "", map[string]string{ratelimit.HeaderRemaining: "0"}},
		{"401 missing token", "/me", "", 401, httpx.CodeUnauthorized, map[string]string{"WWW-Authenticate": "Bearer"}},
		{"401 invalid token", "/me", "forged", 401, httpx.CodeUnauthorized, map[string]string{"WWW-Authenticate": `Bearer error="invalid_token"`}},
		{"429 over the limit", "/me", token, 429, httpx.CodeRateLimited, map[string]string{ratelimit.HeaderLimit: "1", ratelimit.HeaderRemaining: "0", ratelimit.HeaderRetryAfter: "60"}},
		{"503 revocation check failed", "/down", token, 503, httpx.CodeServiceUnavailable, nil},
		{"503 rate limit failed closed", "/closed", "", 503, httpx.CodeServiceUnavailable, map[string]string{ratelimit.HeaderLimit: "5", ratelimit.HeaderRetryAfter: "1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", tt.path, nil)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("got status %d, want %d (body %s)", rec.Code, tt.wantStatus, rec.Body)
			}
			for name, want := range tt.wantHeaders {
				if got := rec.Header().Get(name); got != want {
					t.Errorf("%s: got %q, want %q", name, got, want)
				}
			}
			if tt.wantCode == "" {
				if got := rec.Body.String(); got != "ok" {
					t.Errorf("body: got %q, want ok", got)
				}
				return
			}
			if got, want := rec.Header().Get("Content-Type"), "application/problem+json"; got != want {
				t.Errorf("Content-Type: got %q, want %q", got, want)
			}
			var p problem
			dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
			dec.DisallowUnknownFields() // no envelope field slips in
			if err := dec.Decode(&p); err != nil {
				t.Fatalf("body %s: %v, want the problem shape", rec.Body, err)
			}
			if p.Type != "urn:acme:"+tt.wantCode || p.Status != tt.wantStatus || p.Title == "" {
				t.Errorf("got %+v, want type urn:acme:%s, status %d and a title", p, tt.wantCode, tt.wantStatus)
			}
		})
	}
}
