package firebase

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/groundwork-go/groundwork/auth"
)

var _ auth.TokenVerifier = (*Verifier)(nil)

// TestAuthMiddlewareAcceptsFirebaseTokens puts a Verifier behind the auth
// middleware as an alternative verifier: a Firebase ID token reaches the
// handler with the same Identity shape as an application token.
func TestAuthMiddlewareAcceptsFirebaseTokens(t *testing.T) {
	key := newSigningKey(t, "kid-1")
	ks := newKeyServer(t, key)
	clock := newFakeClock()
	v := newTestVerifier(t, ks, clock, Config{})

	hmac, err := auth.HS256Key("app-1", []byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := auth.NewTokens(hmac, auth.TokenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := auth.NewAuthenticator(tokens, auth.NewMemorySessions(auth.MemorySessionOptions{}),
		auth.NewMemoryRevocations(auth.MemoryRevocationOptions{}), auth.Options{Alternatives: []auth.TokenVerifier{v}})
	if err != nil {
		t.Fatal(err)
	}
	h := a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := auth.FromContext(r.Context())
		if !ok {
			t.Error("no identity in the request context")
			return
		}
		if id.Subject != "uid-123" || id.Extra["email"] != "ada@example.com" || id.Claims != nil {
			t.Errorf("identity: got %+v, want subject uid-123 with Firebase claims in Extra", id)
		}
		w.WriteHeader(http.StatusNoContent)
	}))

	// A server whose key endpoint fails: a Firebase token is then 503, not
	// 401, so clients retry instead of logging the user out.
	downKS := newKeyServer(t)
	downKS.mu.Lock()
	downKS.status = http.StatusInternalServerError
	downKS.mu.Unlock()
	down, err := auth.NewAuthenticator(tokens, auth.NewMemorySessions(auth.MemorySessionOptions{}),
		auth.NewMemoryRevocations(auth.MemoryRevocationOptions{}),
		auth.Options{Alternatives: []auth.TokenVerifier{newTestVerifier(t, downKS, clock, Config{})}})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/api/v1/users/me", nil)
	req.Header.Set("Authorization", "Bearer "+key.sign(t, validClaims(clock.Now())))
	rec := httptest.NewRecorder()
	down.Middleware(http.NotFoundHandler()).ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("keys unreachable: status %d, want 503 (body %s)", rec.Code, rec.Body)
	}

	tests := []struct {
		name  string
		token string
		want  int
	}{
		{"firebase ID token", key.sign(t, validClaims(clock.Now())), http.StatusNoContent},
		{"firebase token for another project", key.sign(t, func() map[string]any {
			c := validClaims(clock.Now())
			c["aud"] = "other"
			return c
		}()), http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/api/v1/users/me", nil)
			req.Header.Set("Authorization", "Bearer "+tt.token)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Errorf("status: got %d, want %d (body %s)", rec.Code, tt.want, rec.Body)
			}
		})
	}
}
