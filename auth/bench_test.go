package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/groundwork-go/groundwork/auth"
)

// BenchmarkVerifyToken is signature and claims verification alone, every
// time (the verified-token cache is off).
func BenchmarkVerifyToken(b *testing.B) {
	tokens := newHSTokens(b, auth.TokenOptions{VerifiedCacheSize: -1})
	raw := issue(b, tokens, auth.AccessToken)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tokens.Parse(raw, auth.AccessToken); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyTokenRemembered is a token presented again: the
// verified-token cache answers and only exp/nbf are re-checked.
func BenchmarkVerifyTokenRemembered(b *testing.B) {
	tokens := newHSTokens(b, auth.TokenOptions{})
	raw := issue(b, tokens, auth.AccessToken)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tokens.Parse(raw, auth.AccessToken); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyWithWarmRevocationCheck adds the Redis revocation check,
// answered from the client-side cache; the difference from
// BenchmarkVerifyToken is the check's cost. roundtrips/op must be 0.
func BenchmarkVerifyWithWarmRevocationCheck(b *testing.B) {
	a, tokens, client := benchAuthenticator(b)
	raw := issue(b, tokens, auth.AccessToken)
	ctx := context.Background()
	if _, err := a.Verify(ctx, raw, auth.AccessToken); err != nil {
		b.Fatal(err)
	}
	before := client.roundTrips.Load()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Verify(ctx, raw, auth.AccessToken); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(client.roundTrips.Load()-before)/float64(b.N), "roundtrips/op")
}

// BenchmarkMiddlewareWarm is the Bearer middleware around an empty handler.
func BenchmarkMiddlewareWarm(b *testing.B) {
	a, tokens, client := benchAuthenticator(b)
	raw := issue(b, tokens, auth.AccessToken)
	h := a.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	req := httptest.NewRequest("GET", "/me", nil)
	req.Header.Set("Authorization", "Bearer "+raw)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != 200 {
		b.Fatalf("status %d", w.Code)
	}
	before := client.roundTrips.Load()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, req)
	}
	b.ReportMetric(float64(client.roundTrips.Load()-before)/float64(b.N), "roundtrips/op")
}

func benchAuthenticator(b *testing.B) (*auth.Authenticator, *auth.Tokens, *countingClient) {
	store, client := countedRedisStore(b)
	tokens := newHSTokens(b, auth.TokenOptions{})
	a, err := auth.NewAuthenticator(tokens, auth.NewMemorySessions(auth.MemorySessionOptions{}), store, auth.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return a, tokens, client
}

// BenchmarkWarmRevocationCheck is the revocation check alone, answered
// from the client-side cache.
func BenchmarkWarmRevocationCheck(b *testing.B) {
	store, client := countedRedisStore(b)
	ctx := context.Background()
	store.IsRevoked(ctx, "42", "sid", 0)
	before := client.roundTrips.Load()
	b.ReportAllocs()
	for b.Loop() {
		if revoked, err := store.IsRevoked(ctx, "42", "sid", 0); err != nil || revoked {
			b.Fatal(revoked, err)
		}
	}
	b.ReportMetric(float64(client.roundTrips.Load()-before)/float64(b.N), "roundtrips/op")
}
