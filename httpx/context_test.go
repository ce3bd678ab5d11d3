package httpx

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

// RequestID, ClientIP and AccessLog share one request state: the chain
// copies the request once, every value is readable inside, and an override
// further in (a nested RequestID, NewRequestIDContext) works on a copy seen
// only below it.
func TestRequestStateSharedOnceAndOverriddenInCopies(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	var seen []*http.Request
	probe := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen = append(seen, r)
			next.ServeHTTP(w, r)
		})
	}
	var outerCtx context.Context
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if got := RequestIDFromContext(ctx); got != "req-1" {
			t.Errorf("request ID %q, want req-1", got)
		}
		if got := ClientIPFromRequest(r); got != netip.MustParseAddr("192.0.2.7") {
			t.Errorf("client IP %v, want 192.0.2.7", got)
		}
		if LoggerFromContext(ctx) != logger {
			t.Error("LoggerFromContext did not return AccessLog's logger")
		}
		override := NewRequestIDContext(ctx, "req-2")
		if RequestIDFromContext(override) != "req-2" || RequestIDFromContext(ctx) != "req-1" {
			t.Errorf("override: %q inside, %q outside; want req-2 and req-1",
				RequestIDFromContext(override), RequestIDFromContext(ctx))
		}
		if ClientIPFromRequest(r.WithContext(override)) != netip.MustParseAddr("192.0.2.7") {
			t.Error("the override lost the client IP")
		}
		outerCtx = ctx
	})
	nested := RequestID(probe(inner)) // sets the ID again: in a copy
	h := RequestID(probe(ClientIP(TrustedProxies{})(probe(AccessLog(logger, AccessLogOptions{})(probe(nested))))))

	req := httptest.NewRequest("GET", "/", nil)
	req.RemoteAddr = "192.0.2.7:4242"
	req.Header.Set(RequestIDHeader, "req-1")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)

	if len(seen) != 4 {
		t.Fatalf("probes saw %d requests, want 4", len(seen))
	}
	if seen[0] == req {
		t.Fatal("the state was attached to the caller's request")
	}
	if seen[1] != seen[0] || seen[2] != seen[0] {
		t.Error("ClientIP or AccessLog copied the request; the chain should copy it once")
	}
	if seen[3] == seen[0] || stateFrom(seen[3].Context()) == stateFrom(seen[0].Context()) {
		t.Error("the nested RequestID changed the outer state in place")
	}
	if RequestIDFromContext(req.Context()) != "" || RequestIDFromContext(outerCtx) != "req-1" {
		t.Error("request IDs leaked between contexts")
	}
	if got := rec.Header().Get(RequestIDHeader); got != "req-1" {
		t.Errorf("response %s %q, want req-1", RequestIDHeader, got)
	}
}

// Without the middleware, the readers fall back to their defaults.
func TestRequestStateAbsent(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "[2001:db8::1]:80"
	if RequestIDFromContext(r.Context()) != "" || LoggerFromContext(r.Context()) != slog.Default() {
		t.Fatal("defaults without middleware")
	}
	if got := ClientIPFromRequest(r); got != netip.MustParseAddr("2001:db8::1") {
		t.Fatalf("client IP %v, want the peer", got)
	}
	AddLogAttrs(r.Context(), slog.String("k", "v")) // does nothing, does not panic
}
