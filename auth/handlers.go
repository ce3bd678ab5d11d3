package auth

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/groundwork-go/groundwork/httpx"
)

// CredentialChecker checks a login and password and returns the subject
// (user ID). A wrong login or password must return ErrInvalidCredentials
// after the same work either way, so the two cannot be told apart; an
// unreachable backend should return an error wrapping ErrUnavailable (503).
type CredentialChecker interface {
	CheckCredentials(ctx context.Context, login, password string) (subject string, err error)
}

// ErrInvalidCredentials is returned by a CredentialChecker for a wrong login
// or password.
var ErrInvalidCredentials = errors.New("auth: invalid credentials")

// LoginRequest is the form body of POST /auth/login. Username also accepts
// the account's email.
type LoginRequest struct {
	Username string `form:"username" json:"username" validate:"required,max=254"`
	Password string `form:"password" json:"password" validate:"required,max=1024"`
}

// LoginHandler serves POST /auth/login: form fields username (or email) and
// password → 200 TokenPair, or 401 "Incorrect username or password".
func (a *Authenticator) LoginHandler(creds CredentialChecker) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in LoginRequest
		if err := httpx.Decode(w, r, &in); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		subject, err := creds.CheckCredentials(r.Context(), in.Username, in.Password)
		if errors.Is(err, ErrInvalidCredentials) {
			w.Header().Set("WWW-Authenticate", "Bearer")
			httpx.WriteError(w, r, httpx.Unauthorized("Incorrect username or password"))
			return
		}
		if errors.Is(err, ErrUnavailable) {
			httpx.WriteError(w, r, httpError(err, ""))
			return
		}
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		a.writePair(w, r, subject, http.StatusOK)
	})
}

// WritePair issues a token pair for subject and writes it with status (the
// signup handler uses 201).
func (a *Authenticator) WritePair(w http.ResponseWriter, r *http.Request, subject string, status int) {
	a.writePair(w, r, subject, status)
}

func (a *Authenticator) writePair(w http.ResponseWriter, r *http.Request, subject string, status int) {
	pair, err := a.IssuePair(subject)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, status, pair)
}

// RefreshRequest is the JSON body of POST /auth/refresh and, optionally,
// of POST /auth/logout.
type RefreshRequest struct {
	RefreshToken string `json:"refresh_token" form:"refresh_token" validate:"required,max=4096"`
}

// RefreshHandler serves POST /auth/refresh: JSON {"refresh_token"} → 200
// with a new access token and a new refresh token; the old refresh token is
// revoked. An invalid, expired, revoked or already-used token → 401.
func (a *Authenticator) RefreshHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in RefreshRequest
		if err := httpx.DecodeJSON(w, r, &in); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		pair, err := a.Refresh(r.Context(), in.RefreshToken)
		if err != nil {
			if !errors.Is(err, ErrUnavailable) {
				w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			}
			httpx.WriteError(w, r, httpError(err, "Invalid or expired refresh token"))
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		httpx.WriteJSON(w, http.StatusOK, pair)
	})
}

// LogoutRequest is the optional body of POST /auth/logout.
type LogoutRequest struct {
	RefreshToken string `json:"refresh_token" form:"refresh_token" validate:"max=4096"`
}

// LogoutResponse is the body of a successful logout.
type LogoutResponse struct {
	Message   string `json:"message"`
	RevokedAt string `json:"revoked_at"`
}

// LogoutHandler serves POST /auth/logout behind Middleware: it revokes the
// presented access token until its expiry and, when the body (JSON or form)
// carries a refresh_token of the same user, that token too.
func (a *Authenticator) LogoutHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := FromContext(r.Context())
		if !ok || id.Claims == nil {
			httpx.WriteError(w, r, httpx.Unauthorized("Not authenticated"))
			return
		}
		var in LogoutRequest
		if r.ContentLength != 0 {
			if err := httpx.Decode(w, r, &in); err != nil {
				httpx.WriteError(w, r, err)
				return
			}
		}
		if err := a.Revoke(r.Context(), id.Claims); err != nil {
			httpx.WriteError(w, r, httpError(err, ""))
			return
		}
		if in.RefreshToken != "" {
			if rc, err := a.tokens.Parse(in.RefreshToken, RefreshToken); err == nil && rc.Subject == id.Subject {
				if err := a.Revoke(r.Context(), rc); err != nil {
					httpx.WriteError(w, r, httpError(err, ""))
					return
				}
			}
		}
		httpx.WriteJSON(w, http.StatusOK, LogoutResponse{
			Message:   "Successfully logged out",
			RevokedAt: time.Now().UTC().Format(time.RFC3339),
		})
	})
}
