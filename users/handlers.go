package users

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/groundwork-go/groundwork/auth"
	"github.com/groundwork-go/groundwork/httpx"
)

// Handlers serves the account endpoints (signup, profile, password,
// deletion) on top of a Service and an auth.Authenticator:
//
//	POST   /auth/signup        form fields → 201 token pair
//	GET    /users/me           → the user
//	PATCH  /users/me           JSON partial update of first_name, last_name, email
//	POST   /users/me/password  current_password, new_password → 200 new token pair
//	DELETE /users/me           → 204
//
// The /users/me routes must be mounted behind the Authenticator's Middleware.
type Handlers struct {
	svc  *Service
	auth *auth.Authenticator
	opts HandlerOptions
}

// HandlerOptions configures Handlers. The zero value works.
type HandlerOptions struct {
	// OnSignup, when set, is called after a user registers and before the
	// response is written, for example to queue a welcome email. It must
	// not block. Default nil.
	OnSignup func(ctx context.Context, u *User)
	// GetUser, when set, replaces Service.Get for GET /users/me, for
	// example with a cached lookup. Default nil: Service.Get.
	GetUser func(ctx context.Context, id int64) (*User, error)
}

// NewHandlers returns the user handlers.
func NewHandlers(svc *Service, a *auth.Authenticator, opts HandlerOptions) *Handlers {
	if opts.GetUser == nil {
		opts.GetUser = svc.Get
	}
	return &Handlers{svc: svc, auth: a, opts: opts}
}

// Signup registers a user from the form fields (username, email,
// password, first_name, last_name), starts a session and answers 201 with
// its token pair. A taken username or email is 400.
func (h *Handlers) Signup() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in RegisterInput
		if err := httpx.Decode(w, r, &in); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		u, err := h.svc.Register(r.Context(), in)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		if h.opts.OnSignup != nil {
			h.opts.OnSignup(r.Context(), u)
		}
		h.startSession(w, r, auth.Credentials{Subject: strconv.FormatInt(u.ID, 10), Epoch: u.CredentialEpoch}, http.StatusCreated)
	})
}

// Me answers the authenticated user's profile.
func (h *Handlers) Me() http.Handler {
	return h.withUserID(func(w http.ResponseWriter, r *http.Request, id int64) {
		u, err := h.opts.GetUser(r.Context(), id)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		httpx.WriteJSON(w, http.StatusOK, u)
	})
}

// UpdateMe applies a JSON partial update of first_name, last_name and email
// and answers the updated profile.
func (h *Handlers) UpdateMe() http.Handler {
	return h.withUserID(func(w http.ResponseWriter, r *http.Request, id int64) {
		var in ProfileUpdate
		if err := httpx.DecodeJSON(w, r, &in); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		u, err := h.svc.UpdateProfile(r.Context(), id, in)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		httpx.WriteJSON(w, http.StatusOK, u)
	})
}

// ChangePassword checks the current password, ends every session of the
// user, sets the new password, and answers the token pair of a new session.
func (h *Handlers) ChangePassword() http.Handler {
	return h.withUserID(func(w http.ResponseWriter, r *http.Request, id int64) {
		var in PasswordChange
		if err := httpx.Decode(w, r, &in); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		c, err := h.svc.ChangePassword(r.Context(), id, in.CurrentPassword, in.NewPassword)
		if errors.Is(err, ErrInvalidCredentials) {
			httpx.WriteError(w, r, httpx.BadRequest("Current password is incorrect"))
			return
		}
		if err != nil {
			writeErr(w, r, err)
			return
		}
		h.startSession(w, r, c, http.StatusOK)
	})
}

// DeleteMe deletes the account and revokes all its tokens: 204.
func (h *Handlers) DeleteMe() http.Handler {
	return h.withUserID(func(w http.ResponseWriter, r *http.Request, id int64) {
		if err := h.svc.Delete(r.Context(), id); err != nil {
			writeErr(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// startSession starts a session for c and writes its token pair.
func (h *Handlers) startSession(w http.ResponseWriter, r *http.Request, c auth.Credentials, status int) {
	pair, err := h.auth.StartSession(r.Context(), c, auth.ClientInfoFromRequest(r))
	if err != nil {
		httpx.WriteError(w, r, httpErr(err))
		return
	}
	auth.WritePair(w, status, pair)
}

// withUserID resolves the authenticated subject to a user ID.
func (h *Handlers) withUserID(fn func(w http.ResponseWriter, r *http.Request, id int64)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Only a Groundwork token names a local user: an identity from an
		// alternative verifier (a Firebase uid "1", say) is not user 1.
		ident, ok := auth.FromContext(r.Context())
		if !ok || ident.Claims == nil {
			w.Header().Set("WWW-Authenticate", "Bearer")
			httpx.WriteError(w, r, httpx.Unauthorized("Not authenticated"))
			return
		}
		id, err := strconv.ParseInt(ident.Subject, 10, 64)
		if err != nil {
			httpx.WriteError(w, r, httpx.NotFound("User not found"))
			return
		}
		fn(w, r, id)
	})
}

// writeErr answers err, mapped by httpErr. An error that says when to try
// again (ErrBusy) sets Retry-After, in seconds.
func writeErr(w http.ResponseWriter, r *http.Request, err error) {
	var busy interface{ RetryAfter() time.Duration }
	if errors.As(err, &busy) {
		w.Header().Set("Retry-After", strconv.Itoa(int(busy.RetryAfter()/time.Second)))
	}
	httpx.WriteError(w, r, httpErr(err))
}

// httpErr maps the package's sentinels onto client errors.
func httpErr(err error) error {
	var verr *httpx.ValidationError
	switch {
	case errors.As(err, &verr):
		return verr
	case errors.Is(err, ErrUsernameTaken):
		return httpx.BadRequest("User already exists: username is taken").WithCause(err)
	case errors.Is(err, ErrEmailTaken):
		return httpx.BadRequest("User already exists: email is already registered").WithCause(err)
	case errors.Is(err, ErrAlreadyExists):
		return httpx.BadRequest("User already exists").WithCause(err)
	case errors.Is(err, ErrNotFound):
		return httpx.NotFound("User not found")
	case errors.Is(err, ErrInvalidInput), errors.Is(err, ErrPasswordTooLong):
		return httpx.BadRequest("Invalid user data").WithCause(err)
	case errors.Is(err, auth.ErrStaleCredentials), errors.Is(err, ErrConflict):
		return httpx.NewError(http.StatusConflict, httpx.CodeConflict,
			"The password was changed at the same time; log in again").WithCause(err)
	case errors.Is(err, ErrBusy):
		return httpx.ServiceUnavailable("Too many requests are waiting for password hashing; try again shortly").WithCause(err)
	case errors.Is(err, auth.ErrUnavailable), IsUnavailable(err):
		return httpx.ServiceUnavailable("Service temporarily unavailable").WithCause(err)
	default:
		return err
	}
}
