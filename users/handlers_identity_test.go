package users_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/groundwork-go/groundwork/auth"
	"github.com/groundwork-go/groundwork/users"
)

// An identity from an alternative verifier (no Groundwork claims) never
// acts as the local user whose id equals its subject.
func TestHandlersRefuseAlternativeIdentities(t *testing.T) {
	e := newServiceEnv(t, cheap)
	u := e.register(t, "localone")
	h := users.NewHandlers(e.svc, e.authn, users.HandlerOptions{})
	for name, handler := range map[string]http.Handler{"me": h.Me(), "delete": h.DeleteMe()} {
		req := httptest.NewRequest("GET", "/", nil)
		req = req.WithContext(auth.NewContext(context.Background(),
			&auth.Identity{Subject: "1", Extra: map[string]any{"firebase": true}}))
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("%s with a Firebase identity %q: %d, want 401", name, "1", rec.Code)
		}
	}
	if _, err := e.svc.Get(context.Background(), u.ID); err != nil {
		t.Fatalf("the local user was touched: %v", err)
	}
}
