package auth_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/groundwork-go/groundwork/auth"
)

// FuzzParseToken feeds arbitrary strings to the token parser: it must
// never panic, and anything it accepts must carry exactly the claims of
// a genuine token (no forgery, no malleable variant
// with other claims).
func FuzzParseToken(f *testing.F) {
	tokens := newHSTokens(f, auth.TokenOptions{})
	good := issue(f, tokens, auth.AccessToken)
	f.Add(good)
	f.Add(issue(f, tokens, auth.RefreshToken))
	f.Add("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiI0MiJ9.")
	f.Add("a.b.c")
	f.Add("")
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := tokens.Parse(raw, auth.AccessToken)
		if err != nil {
			return
		}
		// Every genuine token in the corpus is an access token for "42";
		// fuzzing workers issue their own, so compare claims, not IDs.
		if c.Subject != "42" || len(c.ID) != 32 || c.Type != auth.AccessToken {
			t.Fatalf("accepted a token with other claims: %+v", c)
		}
	})
}

// FuzzBearerMiddleware sends arbitrary Authorization headers through the
// middleware: the answer is 200 only for the genuine token, else 401 with
// WWW-Authenticate, and nothing panics.
func FuzzBearerMiddleware(f *testing.F) {
	tokens := newHSTokens(f, auth.TokenOptions{})
	good := issue(f, tokens, auth.AccessToken)
	a, err := auth.NewAuthenticator(tokens, auth.NewMemorySessions(auth.MemorySessionOptions{}),
		auth.NewMemoryRevocations(auth.MemoryRevocationOptions{}), auth.Options{})
	if err != nil {
		f.Fatal(err)
	}
	h := a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	f.Add("Bearer " + good)
	f.Add("bearer " + good)
	f.Add("Basic Zm9vOmJhcg==")
	f.Add("Bearer")
	f.Add("Bearer  " + good + " extra")
	f.Fuzz(func(t *testing.T, header string) {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header["Authorization"] = []string{header}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case 200:
			_, raw, _ := strings.Cut(header, " ")
			if c, err := tokens.Parse(strings.TrimSpace(raw), auth.AccessToken); err != nil || c.Subject != "42" {
				t.Fatalf("header %q accepted: %v", header, err)
			}
		case 401:
			if rec.Header().Get("WWW-Authenticate") == "" {
				t.Fatal("401 without WWW-Authenticate")
			}
		default:
			t.Fatalf("status %d for header %q", rec.Code, header)
		}
	})
}
