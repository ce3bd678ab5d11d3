// Command firebase is an example service that signs users in with Firebase
// Authentication and answers Groundwork's own token pair.
//
// A mobile or web client signs in with a Firebase client SDK, takes the ID
// token (getIdToken()) and posts it once:
//
//	POST /api/v1/auth/firebase   {"id_token": "<Firebase ID token>"}
//	→ 200 {"access_token": …, "refresh_token": …, "token_type": "bearer", "expires_in": …}
//
// The service verifies the token with auth/firebase, finds the local user
// linked to the Firebase uid (table firebase_links) or creates one, starts a
// session for that local user and answers the pair; from then on the client
// uses the pair on every route, like a password user (GET /api/v1/users/me,
// POST /api/v1/auth/refresh, POST /api/v1/auth/logout). A Firebase uid never
// names a local user by itself: uid "1" is linked to whatever local id its
// first sign-in created.
//
//	go run ./examples/firebase
//
// serves on :8801 with no credentials: ID tokens are verified against RSA keys
// generated at start and served by an in-process fake of Google's key
// endpoint, and POST /dev/firebase/id-token {"uid": "abc", "email": "a@example.com"}
// mints one. Set FIREBASE_PROJECT_ID to verify real Firebase ID tokens of that
// project against Google's published keys (no service account is needed);
// the development route is then not mounted. The common settings (PORT,
// DATABASE_URL, SECRET_KEY, rate limits) are those of examples/internal/exampleapp.
package main

import (
	"context"
	"net/http"
	"time"

	"github.com/groundwork-go/groundwork/examples/internal/exampleapp"
	"github.com/groundwork-go/groundwork/users"
)

func main() {
	exampleapp.Main("firebase", 8801, func(ctx context.Context, app *exampleapp.App) error {
		_, err := setup(ctx, app)
		return err
	})
}

// setup mounts the example's routes on app.
func setup(ctx context.Context, app *exampleapp.App) (*fakeKeys, error) {
	v, dev, err := newVerifier(app.Env, app.Logger, app.HTTPClient(10*time.Second))
	if err != nil {
		return nil, err
	}
	if err := migrateLinks(ctx, app.DB); err != nil {
		return nil, err
	}
	s := &signIn{verifier: v, links: &links{db: app.DB}, app: app, store: users.NewStore(app.DB)}
	app.Mux.Handle("POST "+exampleapp.APIPrefix+"/auth/firebase", app.StrictlyLimited(http.HandlerFunc(s.serveHTTP)))
	app.Mux.Handle("GET "+exampleapp.APIPrefix+"/users/me", app.Authenticated(exampleapp.ForUser(s.me)))
	if dev != nil {
		app.Mux.Handle("POST /dev/firebase/id-token", app.StrictlyLimited(http.HandlerFunc(dev.mint)))
	}
	return dev, nil
}
