package main

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/groundwork-go/groundwork/auth"
	"github.com/groundwork-go/groundwork/auth/firebase"
	"github.com/groundwork-go/groundwork/examples/internal/exampleapp"
	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/users"
)

// signIn serves POST /api/v1/auth/firebase and the profile route.
type signIn struct {
	verifier idTokenVerifier
	links    *links
	app      *exampleapp.App
	store    users.Store
}

// signInInput is the request body of POST /api/v1/auth/firebase.
type signInInput struct {
	IDToken string `json:"id_token" validate:"required"`
}

// serveHTTP verifies the posted ID token, resolves the linked local user
// and answers a Groundwork token pair for a new session.
func (s *signIn) serveHTTP(w http.ResponseWriter, r *http.Request) {
	var in signInInput
	if err := httpx.Decode(w, r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	tok, err := s.verifier.VerifyIDToken(r.Context(), in.IDToken)
	if err != nil {
		httpx.WriteError(w, r, verifyError(err))
		return
	}
	u, err := s.links.userFor(r.Context(), s.store, tok)
	if err != nil {
		httpx.WriteError(w, r, httpx.Internal(err))
		return
	}
	pair, err := s.app.Auth.StartSession(r.Context(),
		auth.Credentials{Subject: strconv.FormatInt(u.ID, 10), Epoch: u.CredentialEpoch}, auth.ClientInfoFromRequest(r))
	if err != nil {
		httpx.WriteError(w, r, httpx.AsError(err))
		return
	}
	s.app.Logger.InfoContext(r.Context(), "firebase sign-in", "user_id", u.ID, "provider", tok.Firebase.SignInProvider)
	auth.WritePair(w, http.StatusOK, pair)
}

// verifyError maps a verification failure to the client's answer: 401 for
// a token that is not good, 503 when Google's keys are out of reach.
func verifyError(err error) *httpx.Error {
	switch {
	case errors.Is(err, firebase.ErrKeyFetch):
		return httpx.ServiceUnavailable("Firebase keys are unavailable; try again shortly").WithCause(err)
	case errors.Is(err, firebase.ErrTokenExpired):
		return httpx.Unauthorized("the Firebase ID token has expired; get a fresh one from the client SDK").WithCause(err)
	default:
		return httpx.Unauthorized("invalid Firebase ID token").WithCause(err)
	}
}

// profile is the answer of GET /api/v1/users/me.
type profile struct {
	*users.User
	FirebaseUID string `json:"firebase_uid,omitempty"`
}

// me answers the caller's local profile and, when it came from a Firebase
// sign-in, the linked uid.
func (s *signIn) me(w http.ResponseWriter, r *http.Request, userID int64) {
	u, err := s.app.Users.Get(r.Context(), userID)
	if err != nil {
		if errors.Is(err, users.ErrNotFound) {
			httpx.WriteError(w, r, httpx.NotFound("user not found"))
			return
		}
		httpx.WriteError(w, r, httpx.Internal(err))
		return
	}
	uid, err := s.links.uidOf(r.Context(), userID)
	if err != nil {
		httpx.WriteError(w, r, httpx.Internal(err))
		return
	}
	httpx.WriteJSON(w, http.StatusOK, profile{User: u, FirebaseUID: uid})
}
