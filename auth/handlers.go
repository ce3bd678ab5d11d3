package auth

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/groundwork-go/groundwork/httpx"
)

// CredentialChecker checks a login and password. It returns the subject
// (user ID) and the credential epoch it read together with the password
// hash, before checking the password, so that a password change racing the
// login is detected when the session is recorded. A wrong login or password
// must return ErrInvalidCredentials after the same work either way, so the
// two cannot be told apart; an unreachable backend should return an error
// wrapping ErrUnavailable (503).
type CredentialChecker interface {
	CheckCredentials(ctx context.Context, login, password string) (Credentials, error)
}

// ErrInvalidCredentials is returned by a CredentialChecker for a wrong login
// or password.
var ErrInvalidCredentials = errors.New("auth: invalid credentials")

// loginRequest is the form body of POST /auth/login. Username also accepts
// the account's email.
type loginRequest struct {
	Username string `form:"username" json:"username" validate:"required,max=254"`
	Password string `form:"password" json:"password" validate:"required,max=1024"`
}

// LoginHandler serves a login: form (or JSON) fields username (or email)
// and password → 200 TokenPair of a new session, or 401 "Incorrect
// username or password".
func (a *Authenticator) LoginHandler(creds CredentialChecker) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in loginRequest
		if err := httpx.Decode(w, r, &in); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		c, err := creds.CheckCredentials(r.Context(), in.Username, in.Password)
		if err == nil {
			var pair *TokenPair
			if pair, err = a.StartSession(r.Context(), c, ClientInfoFromRequest(r)); err == nil {
				WritePair(w, http.StatusOK, pair)
				return
			}
		}
		if errors.Is(err, ErrInvalidCredentials) || errors.Is(err, ErrStaleCredentials) {
			w.Header().Set("WWW-Authenticate", "Bearer")
			a.writeError(w, r, httpx.Unauthorized("Incorrect username or password").WithCause(err))
			return
		}
		setRetryAfter(w, err)
		if errors.Is(err, ErrUnavailable) {
			a.writeError(w, r, httpError(err, ""))
			return
		}
		httpx.WriteError(w, r, err)
	})
}

// setRetryAfter sets Retry-After when err (a busy password hasher, a
// throttling CredentialChecker) says how long to wait, through a
// RetryAfter() time.Duration method.
func setRetryAfter(w http.ResponseWriter, err error) {
	var ra interface{ RetryAfter() time.Duration }
	if errors.As(err, &ra) {
		if d := ra.RetryAfter(); d > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
		}
	}
}

// WritePair writes a token pair with status (200, or 201 for a signup)
// and Cache-Control: no-store.
func WritePair(w http.ResponseWriter, status int, pair *TokenPair) {
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, status, pair)
}

// refreshRequest is the JSON body of POST /auth/refresh and, optionally,
// of POST /auth/logout.
type refreshRequest struct {
	RefreshToken string `json:"refresh_token" form:"refresh_token" validate:"required,max=4096"`
}

// RefreshHandler serves a refresh: JSON {"refresh_token"} → 200 with a new
// access token and a new refresh token of the same session. An invalid,
// expired or ended token → 401; a consumed one also ends its session.
func (a *Authenticator) RefreshHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in refreshRequest
		if err := httpx.DecodeJSON(w, r, &in); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		pair, err := a.Refresh(r.Context(), in.RefreshToken)
		if err != nil {
			if !errors.Is(err, ErrUnavailable) {
				w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			}
			a.writeError(w, r, httpError(err, "Invalid or expired refresh token"))
			return
		}
		WritePair(w, http.StatusOK, pair)
	})
}

// logoutRequest is the optional body of POST /auth/logout.
type logoutRequest struct {
	RefreshToken string `json:"refresh_token" form:"refresh_token" validate:"max=4096"`
}

// logoutResponse is the body of a successful logout.
type logoutResponse struct {
	Message   string `json:"message"`
	RevokedAt string `json:"revoked_at"`
}

// LogoutHandler serves a logout behind Middleware: it ends the session of
// the presented access token, so its access and refresh tokens both die.
// The body is optional and may be absent, empty or chunked; when it
// carries a refresh_token of another session of the same user, that
// session ends too.
func (a *Authenticator) LogoutHandler() http.Handler {
	return a.withSession(func(w http.ResponseWriter, r *http.Request, id *Identity) {
		var in logoutRequest
		if hasBody(r) {
			if err := httpx.Decode(w, r, &in); err != nil {
				httpx.WriteError(w, r, err)
				return
			}
		}
		if _, err := a.EndSession(r.Context(), id.Subject, id.Claims.SessionID, EndLogout); err != nil && !errors.Is(err, ErrSessionNotFound) {
			a.writeError(w, r, httpError(err, ""))
			return
		}
		if in.RefreshToken != "" {
			if rc, err := a.tokens.Parse(in.RefreshToken, RefreshToken); err == nil &&
				rc.Subject == id.Subject && rc.SessionID != id.Claims.SessionID {
				if _, err := a.EndSession(r.Context(), rc.Subject, rc.SessionID, EndLogout); err != nil && !errors.Is(err, ErrSessionNotFound) {
					a.writeError(w, r, httpError(err, ""))
					return
				}
			}
		}
		httpx.WriteJSON(w, http.StatusOK, logoutResponse{
			Message:   "Successfully logged out",
			RevokedAt: time.Now().UTC().Format(time.RFC3339),
		})
	})
}

// hasBody reports whether r has at least one body byte, without consuming
// it: a Content-Length of 0, no body, or an empty chunked body all count as
// none.
func hasBody(r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return false
	}
	br := bufio.NewReaderSize(r.Body, 64)
	_, err := br.Peek(1)
	r.Body = struct {
		io.Reader
		io.Closer
	}{br, r.Body}
	return err == nil
}

// writeError writes e with Options.ErrorWriter.
func (a *Authenticator) writeError(w http.ResponseWriter, r *http.Request, e *httpx.Error) {
	a.opts.ErrorWriter.Write(w, r, e)
}
