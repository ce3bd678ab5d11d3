package firebase_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"

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

// Verifying a Firebase ID token on a route. In an application the auth
// middleware does this for every protected route once the Verifier is
// registered with it as an alternative verifier (through Authenticate); the
// handler below shows the same steps spelled out.
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
