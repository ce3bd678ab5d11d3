package firebase_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"

	"github.com/groundwork-go/groundwork/auth"
	"github.com/groundwork-go/groundwork/auth/firebase"
	"github.com/groundwork-go/groundwork/httpx"
)

func ExampleNewVerifier() {
	v, err := firebase.NewVerifier("my-project", firebase.Config{})
	if err != nil {
		log.Fatal(err)
	}
	tok, err := v.VerifyIDToken(context.Background(), "eyJhbGciOiJSUzI1NiIsImtpZCI6...")
	if err != nil {
		log.Printf("rejected: %v", err)
		return
	}
	fmt.Println(tok.UID, tok.Firebase.SignInProvider)
}

// Verifying a Firebase ID token on a route by hand. Most applications
// register the Verifier with the auth middleware instead (see
// Verifier.Authenticate).
func ExampleVerifier_VerifyIDToken() {
	v, err := firebase.NewVerifier("my-project", firebase.Config{})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/firebase/me", func(w http.ResponseWriter, r *http.Request) {
		raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			httpx.WriteError(w, r, httpx.Unauthorized("missing bearer token"))
			return
		}
		tok, err := v.VerifyIDToken(r.Context(), raw)
		switch {
		case errors.Is(err, firebase.ErrKeyFetch):
			httpx.WriteError(w, r, httpx.ServiceUnavailable("cannot verify tokens right now").WithCause(err))
			return
		case err != nil:
			httpx.WriteError(w, r, httpx.Unauthorized("invalid token").WithCause(err))
			return
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"uid": tok.UID, "email": tok.Email})
	})
	log.Fatal(http.ListenAndServe("localhost:8080", mux))
}

// Accepting Firebase users on the same routes as the application's own
// tokens: the Verifier is an alternative verifier of the auth middleware, and
// handlers read the same auth.Identity either way.
func ExampleVerifier_Authenticate() {
	v, err := firebase.NewVerifier("my-project", firebase.Config{})
	if err != nil {
		log.Fatal(err)
	}
	key, err := auth.HS256Key("app-1", []byte("a 32-byte or longer secret from the environment"))
	if err != nil {
		log.Fatal(err)
	}
	tokens, err := auth.NewTokens(key, auth.TokenOptions{})
	if err != nil {
		log.Fatal(err)
	}
	a, err := auth.NewAuthenticator(tokens, auth.NewMemorySessions(auth.MemorySessionOptions{}),
		auth.NewMemoryRevocations(auth.MemoryRevocationOptions{}), auth.Options{Alternatives: []auth.TokenVerifier{v}})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /api/v1/users/me", a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := auth.FromContext(r.Context())
		// id.Claims is set for application tokens, id.Extra for Firebase ID tokens.
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"user_id": id.Subject, "firebase": id.Extra != nil})
	})))
	log.Fatal(http.ListenAndServe("localhost:8080", mux))
}
