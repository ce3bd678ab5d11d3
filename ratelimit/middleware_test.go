package ratelimit_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/ratelimit"
	"github.com/groundwork-go/groundwork/ratelimit/ratelimittest"
)

// limited returns a handler limited to p by key on a memory store whose
// clock the test controls, and a counter of calls that reached it.
func limited(t *testing.T, p ratelimit.Policy, key ratelimit.KeyFunc) (http.Handler, *ratelimittest.Clock, *int) {
	t.Helper()
	clock := ratelimittest.NewClock(start)
	l := ratelimit.New(ratelimit.NewMemoryStore(ratelimit.MemoryOptions{Now: clock.Now}), ratelimit.Options{})
	calls := new(int)
	h := l.Middleware(p, key)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*calls++
		w.Write([]byte("ok"))
	}))
	return h, clock, calls
}

func get(h http.Handler, remoteAddr string, header http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "/x", nil)
	req.RemoteAddr = remoteAddr
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestMiddlewareHeaders(t *testing.T) {
	p := ratelimit.Policy{Name: "t", Limit: 2, Window: time.Minute}
	h, clock, calls := limited(t, p, ratelimit.ByIP)
	// The first request is at start (…:00.123457), so its slot frees at
	// start+60s, which rounds up to the next whole second.
	reset := strconv.FormatInt(start.Add(time.Minute).Unix()+1, 10)
	tests := []struct {
		advance    time.Duration
		status     int
		remaining  string
		retryAfter string
	}{
		{0, http.StatusOK, "1", ""},
		{10 * time.Second, http.StatusOK, "0", ""},
		{20 * time.Second, http.StatusTooManyRequests, "0", "30"}, // 30 s left exactly
		{30*time.Second - time.Millisecond, http.StatusTooManyRequests, "0", "1"},
	}
	for i, tc := range tests {
		clock.Advance(tc.advance)
		rec := get(h, "192.0.2.7:4321", nil)
		if rec.Code != tc.status {
			t.Fatalf("request %d: got status %d, want %d", i, rec.Code, tc.status)
		}
		for name, want := range map[string]string{
			"X-RateLimit-Limit":     "2",
			"X-RateLimit-Remaining": tc.remaining,
			"X-RateLimit-Reset":     reset,
			"Retry-After":           tc.retryAfter,
		} {
			if got := rec.Header().Get(name); got != want {
				t.Errorf("request %d: got %s %q, want %q", i, name, got, want)
			}
		}
	}
	if *calls != 2 {
		t.Fatalf("handler calls: got %d, want 2 (denied requests must not reach it)", *calls)
	}
}

func TestMiddlewareDeniedBody(t *testing.T) {
	h, _, _ := limited(t, ratelimit.Policy{Limit: 1, Window: time.Minute}, ratelimit.ByIP)
	get(h, "192.0.2.7:1", nil)
	rec := get(h, "192.0.2.7:1", nil)
	var body struct {
		Detail    string `json:"detail"`
		ErrorCode string `json:"error_code"`
		Timestamp string `json:"timestamp"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("429 body %q: %v", rec.Body.String(), err)
	}
	if body.Detail != "Rate limit exceeded. Please slow down your requests." || body.ErrorCode != httpx.CodeRateLimited || body.Timestamp == "" {
		t.Fatalf("429 body: got %+v, want the documented detail, code %s and a timestamp", body, httpx.CodeRateLimited)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("429 Content-Type: got %q, want application/json", ct)
	}
}

func TestMiddlewareSpoofedForwardedFor(t *testing.T) {
	tests := []struct {
		name    string
		trusted string
		wantOK  int
	}{
		// Without trusted proxies the header is ignored: one bucket.
		{"no trusted proxies", "", 3},
		// From a trusted proxy each forwarded client gets its own bucket.
		{"trusted proxy", "192.0.2.0/24", 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tp, err := httpx.ParseTrustedProxies(tc.trusted)
			if err != nil {
				t.Fatal(err)
			}
			inner, _, calls := limited(t, ratelimit.Policy{Limit: 3, Window: time.Minute}, ratelimit.ByIP)
			h := httpx.ClientIP(tp)(inner)
			for i := range 5 {
				get(h, "192.0.2.7:1", http.Header{"X-Forwarded-For": {"198.51.100." + strconv.Itoa(i)}})
			}
			if *calls != tc.wantOK {
				t.Fatalf("requests let through: got %d, want %d", *calls, tc.wantOK)
			}
		})
	}
}

func TestMiddlewarePoliciesCountApart(t *testing.T) {
	clock := ratelimittest.NewClock(start)
	l := ratelimit.New(ratelimit.NewMemoryStore(ratelimit.MemoryOptions{Now: clock.Now}), ratelimit.Options{})
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	tiers := ratelimit.DefaultTiers()
	login := l.Middleware(tiers.Strict, ratelimit.ByIP)(ok)
	other := l.Middleware(tiers.Default, ratelimit.ByIP)(ok)
	for range 10 {
		get(login, "192.0.2.7:1", nil)
	}
	if rec := get(login, "192.0.2.7:1", nil); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("11th login: got %d, want 429", rec.Code)
	}
	if rec := get(other, "192.0.2.7:1", nil); rec.Code != http.StatusOK || rec.Header().Get("X-RateLimit-Remaining") != "99" {
		t.Fatalf("default tier after the login limit: got %d remaining %q, want 200 remaining 99",
			rec.Code, rec.Header().Get("X-RateLimit-Remaining"))
	}
}

// failingStore always fails, like an unreachable Redis.
type failingStore struct{}

func (failingStore) Allow(context.Context, string, ratelimit.Policy) (ratelimit.Result, error) {
	return ratelimit.Result{}, errors.New("connection refused")
}

func TestMiddlewareFailOpen(t *testing.T) {
	l := ratelimit.New(failingStore{}, ratelimit.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	calls := 0
	h := l.Middleware(ratelimit.Policy{Limit: 1, Window: time.Minute}, ratelimit.ByIP)(
		http.HandlerFunc(func(http.ResponseWriter, *http.Request) { calls++ }))
	for i := range 3 {
		rec := get(h, "192.0.2.7:1", nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("request %d with a failing store: got %d, want 200", i, rec.Code)
		}
		if v := rec.Header().Get("X-RateLimit-Remaining"); v != "" {
			t.Fatalf("request %d with a failing store: got X-RateLimit-Remaining %q, want none", i, v)
		}
	}
	if calls != 3 || l.Stats().FailedOpen != 3 {
		t.Fatalf("got %d calls and %d failed open, want 3 and 3", calls, l.Stats().FailedOpen)
	}
}

func TestMiddlewareEmptyKeyExempt(t *testing.T) {
	h, _, calls := limited(t, ratelimit.Policy{Limit: 1, Window: time.Minute},
		func(*http.Request) string { return "" })
	for range 3 {
		if rec := get(h, "192.0.2.7:1", nil); rec.Header().Get("X-RateLimit-Limit") != "" {
			t.Fatalf("exempt request: got X-RateLimit-Limit %q, want none", rec.Header().Get("X-RateLimit-Limit"))
		}
	}
	if *calls != 3 {
		t.Fatalf("exempt requests let through: got %d, want 3", *calls)
	}
}

func TestMiddlewareInvalidPolicyPanics(t *testing.T) {
	defer func() {
		if err, _ := recover().(error); !errors.Is(err, ratelimit.ErrInvalidPolicy) {
			t.Fatalf("recovered %v, want an ErrInvalidPolicy panic", err)
		}
	}()
	ratelimit.New(ratelimit.NewMemoryStore(ratelimit.MemoryOptions{}), ratelimit.Options{}).
		Middleware(ratelimit.Policy{Limit: 0, Window: time.Minute}, ratelimit.ByIP)
}

// When the store fails, each policy's FailMode decides what the client sees.
func TestMiddlewareFailModes(t *testing.T) {
	tests := []struct {
		mode       ratelimit.FailMode
		wantStatus []int // for requests 1..4 at limit 2
		wantLimit  string
		wantRetry  []string
	}{
		{ratelimit.FailOpen, []int{200, 200, 200, 200}, "", []string{"", "", "", ""}},
		{ratelimit.FailLocal, []int{200, 200, 429, 429}, "2", []string{"", "", "60", "60"}},
		{ratelimit.FailClosed, []int{503, 503, 503, 503}, "2", []string{"1", "1", "1", "1"}},
	}
	for _, tc := range tests {
		t.Run(tc.mode.String(), func(t *testing.T) {
			l := ratelimit.New(failingStore{}, ratelimit.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			calls := 0
			p := ratelimit.Policy{Name: "login", Limit: 2, Window: time.Minute, Fail: tc.mode}
			h := l.Middleware(p, ratelimit.ByIP)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { calls++ }))
			wantCalls := 0
			for i, status := range tc.wantStatus {
				rec := get(h, "192.0.2.7:1", nil)
				if rec.Code != status {
					t.Fatalf("request %d: got status %d, want %d", i, rec.Code, status)
				}
				if got := rec.Header().Get("X-RateLimit-Limit"); got != tc.wantLimit {
					t.Errorf("request %d: got X-RateLimit-Limit %q, want %q", i, got, tc.wantLimit)
				}
				if got := rec.Header().Get("Retry-After"); got != tc.wantRetry[i] {
					t.Errorf("request %d: got Retry-After %q, want %q", i, got, tc.wantRetry[i])
				}
				if status == http.StatusOK {
					wantCalls++
				}
			}
			if calls != wantCalls {
				t.Fatalf("handler calls: got %d, want %d", calls, wantCalls)
			}
		})
	}
}

// customError is a service's own error shape, with the headers its writer
// saw already set.
type customError struct {
	Status  int               `json:"status"`
	Kind    string            `json:"kind"`
	Message string            `json:"message"`
	Headers map[string]string `json:"headers"`
}

func writeCustom(w http.ResponseWriter, _ *http.Request, e *httpx.Error) {
	seen := map[string]string{}
	for _, name := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After"} {
		if v := w.Header().Get(name); v != "" {
			seen[name] = v
		}
	}
	w.Header().Set("Content-Type", "application/vnd.custom+json")
	w.WriteHeader(e.Status)
	json.NewEncoder(w).Encode(customError{Status: e.Status, Kind: e.Code, Message: e.Detail, Headers: seen})
}

// Every error the middleware answers goes through Options.ErrorWriter,
// with its headers already set.
func TestMiddlewareErrorWriter(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	tests := []struct {
		name        string
		store       ratelimit.Store
		fail        ratelimit.FailMode
		wantStatus  int
		wantKind    string
		wantHeaders []string
	}{
		{"denied", ratelimit.NewMemoryStore(ratelimit.MemoryOptions{}), ratelimit.FailOpen, 429, httpx.CodeRateLimited,
			[]string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After"}},
		{"fallback denied", failingStore{}, ratelimit.FailLocal, 429, httpx.CodeRateLimited,
			[]string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After"}},
		{"failed closed", failingStore{}, ratelimit.FailClosed, 503, httpx.CodeServiceUnavailable,
			[]string{"X-RateLimit-Limit", "Retry-After"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := ratelimit.New(tc.store, ratelimit.Options{Logger: quiet, ErrorWriter: writeCustom})
			p := ratelimit.Policy{Name: "p", Limit: 1, Window: time.Minute, Fail: tc.fail}
			h := l.Middleware(p, ratelimit.ByIP)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			rec := get(h, "192.0.2.7:1", nil)
			if tc.wantStatus == http.StatusTooManyRequests {
				if rec.Code != http.StatusOK {
					t.Fatalf("first request: got %d, want 200", rec.Code)
				}
				rec = get(h, "192.0.2.7:1", nil)
			}
			var body customError
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %q: %v", rec.Body.String(), err)
			}
			if rec.Code != tc.wantStatus || body.Status != tc.wantStatus || body.Kind != tc.wantKind || body.Message == "" {
				t.Fatalf("got status %d body %+v, want %d in the custom shape with kind %s", rec.Code, body, tc.wantStatus, tc.wantKind)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/vnd.custom+json" {
				t.Fatalf("Content-Type: got %q, want the custom writer's", ct)
			}
			for _, name := range tc.wantHeaders {
				if body.Headers[name] == "" || body.Headers[name] != rec.Header().Get(name) {
					t.Errorf("header %s: writer saw %q, response has %q; want it set before the writer runs", name, body.Headers[name], rec.Header().Get(name))
				}
			}
			if len(body.Headers) != len(tc.wantHeaders) {
				t.Errorf("writer saw headers %v, want exactly %v", body.Headers, tc.wantHeaders)
			}
		})
	}
}

func TestResultSetHeaders(t *testing.T) {
	reset := time.Unix(1_700_000_000, 500_000_000)
	check := func(name string, r ratelimit.Result, want map[string]string) {
		t.Helper()
		h := http.Header{}
		r.SetHeaders(h)
		got := map[string]string{}
		for k := range h {
			got[k] = h.Get(k)
		}
		wantCanon := map[string]string{}
		for k, v := range want {
			wantCanon[http.CanonicalHeaderKey(k)] = v
		}
		if !reflect.DeepEqual(got, wantCanon) {
			t.Errorf("%s: got %v, want %v", name, got, wantCanon)
		}
	}
	check("allowed", ratelimit.Result{Allowed: true, Limit: 10, Remaining: 7, Reset: reset},
		map[string]string{ratelimit.HeaderLimit: "10", ratelimit.HeaderRemaining: "7", ratelimit.HeaderReset: "1700000001"})
	check("denied", ratelimit.Result{Limit: 10, Reset: reset, RetryAfter: 2500 * time.Millisecond},
		map[string]string{ratelimit.HeaderLimit: "10", ratelimit.HeaderRemaining: "0", ratelimit.HeaderReset: "1700000001", ratelimit.HeaderRetryAfter: "3"})
}
