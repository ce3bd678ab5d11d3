package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/groundwork-go/groundwork/httpx"
)

// SubjectChecker reports whether a token's subject still exists.
type SubjectChecker interface {
	Exists(ctx context.Context, subject string) (bool, error)
}

// SubjectLoader is a SubjectChecker that returns the record it looked up
// (a user's profile, say). When Options.Subjects implements it, the
// middleware calls LoadSubject instead of Exists and keeps the record in
// the request's Identity, so a handler can use it instead of looking the
// subject up a second time.
type SubjectLoader interface {
	SubjectChecker
	// LoadSubject returns the subject's record and true, or false when the
	// subject does not exist.
	LoadSubject(ctx context.Context, subject string) (record any, exists bool, err error)
}

// TokenVerifier is an alternative way to authenticate a bearer token, for
// example Firebase ID tokens. It returns the subject and the verified claims.
type TokenVerifier interface {
	Authenticate(ctx context.Context, raw string) (subject string, claims map[string]any, err error)
}

// ErrUnavailable means a dependency of authentication (the revocation
// store, the session store or the subject check) failed or timed out;
// requests fail closed with 503 unless Options.FailOpen is set.
var ErrUnavailable = errors.New("auth: authentication backend unavailable")

// Options configures an Authenticator. The zero value works.
type Options struct {
	// Subjects, when set, is asked whether a token's subject still exists
	// on every authenticated request; a deleted user's tokens get 401.
	// Default nil: not checked.
	// A SubjectLoader's record is kept in Identity.Record.
	Subjects SubjectChecker
	// FailOpen lets requests through when the revocation check errors or
	// times out. Default false: such requests get 503. Either way the
	// failure is logged. Writes (logout, refresh, credential changes)
	// never fail open.
	FailOpen bool
	// CheckTimeout bounds the revocation and subject checks of one
	// request. Default 500 ms.
	CheckTimeout time.Duration
	// WriteTimeout bounds each write to the session store and the
	// revocation store (login, refresh, logout, ending sessions, credential
	// changes); a write that takes longer answers 503. Default 2 s.
	WriteTimeout time.Duration
	// Alternatives are tried, in order, for bearer tokens that are not
	// Groundwork tokens. An alternative whose error wraps ErrUnavailable
	// (it could not reach its key server, say) makes the request 503
	// instead of 401. Default none.
	Alternatives []TokenVerifier
	// Logger receives failures and security events. Default slog.Default().
	Logger *slog.Logger
	// OnEvent, when set, is called for every revocation check and session
	// event (for metrics). It must not block. Default nil.
	OnEvent func(Event)
	// ErrorWriter writes the 401 and 503 responses of the middleware and
	// handlers, with WWW-Authenticate already set. Default nil: the httpx
	// error envelope.
	ErrorWriter httpx.ErrorWriter
}

// Event is what Options.OnEvent receives.
type Event struct {
	// Kind is one of the Event constants.
	Kind string
	// Subject and SessionID name the session concerned, when there is one.
	Subject, SessionID string
}

// Event kinds.
const (
	EventCheckOK        = "check_ok"        // a token passed the revocation check
	EventCheckRevoked   = "check_revoked"   // a token's session had ended or its epoch was stale
	EventCheckError     = "check_error"     // the revocation check failed
	EventSessionStarted = "session_started" // a login or signup started a session
	EventSessionEnded   = "session_ended"   // a session was ended (logout, by the user, credential change)
	EventRefreshReuse   = "refresh_reuse"   // a consumed refresh token was presented: its session was ended
)

// Authenticator starts, refreshes and ends sessions, and authenticates
// requests by their access tokens.
type Authenticator struct {
	tokens      *Tokens
	sessions    SessionStore
	revocations RevocationStore
	opts        Options
	// keep is how long a revocation entry must live: the longest an access
	// token issued before it may still be accepted, plus a minute for the
	// clocks of different instances.
	keep time.Duration
}

// NewAuthenticator returns an Authenticator over tokens, the durable
// sessions and the revocation store that answers the per-request check.
// All three are required.
func NewAuthenticator(tokens *Tokens, sessions SessionStore, revocations RevocationStore, opts Options) (*Authenticator, error) {
	if tokens == nil || sessions == nil || revocations == nil {
		return nil, errors.New("auth: NewAuthenticator needs Tokens, a SessionStore and a RevocationStore")
	}
	if opts.CheckTimeout <= 0 {
		opts.CheckTimeout = 500 * time.Millisecond
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = 2 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Authenticator{tokens: tokens, sessions: sessions, revocations: revocations, opts: opts,
		keep: tokens.TTL(AccessToken) + tokens.opts.Leeway + time.Minute}, nil
}

// TokenPair is the body of login, signup and refresh responses.
type TokenPair struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
}

// Credentials are a verified login: the subject and the credential epoch
// read before the password was checked.
type Credentials struct {
	// Subject is the user ID.
	Subject string
	// Epoch is the subject's credential epoch as read with the password
	// hash that was verified.
	Epoch int64
}

// StartSession records a new session for c and issues its token pair. It
// is the one way to issue tokens. ErrStaleCredentials means the
// credentials changed after they were read (a password change raced the
// login); the login must be refused.
func (a *Authenticator) StartSession(ctx context.Context, c Credentials, client ClientInfo) (*TokenPair, error) {
	ctx, cancel := context.WithTimeout(ctx, a.opts.WriteTimeout)
	defer cancel()
	s, err := a.sessions.CreateSession(ctx, Session{ID: newTokenID(), Subject: c.Subject, Epoch: c.Epoch,
		Client: client.clean()}, a.tokens.TTL(RefreshToken))
	if err != nil {
		if errors.Is(err, ErrStaleCredentials) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: start session: %w", ErrUnavailable, err)
	}
	a.observe(EventSessionStarted, s.Subject, s.ID)
	return a.issuePair(s)
}

// issuePair signs the access and refresh tokens of s.
func (a *Authenticator) issuePair(s *Session) (*TokenPair, error) {
	access, _, err := a.tokens.Issue(AccessToken, s)
	if err != nil {
		return nil, err
	}
	refresh, _, err := a.tokens.Issue(RefreshToken, s)
	if err != nil {
		return nil, err
	}
	return &TokenPair{AccessToken: access, RefreshToken: refresh, TokenType: "bearer",
		ExpiresIn: int64(a.tokens.TTL(AccessToken) / time.Second)}, nil
}

// Verify checks raw as a token of type typ: signature and claims, then
// revocation, then that the subject exists. Errors wrap ErrTokenInvalid,
// ErrTokenExpired, ErrTokenWrongType, ErrTokenRevoked, ErrUnknownSubject or
// ErrUnavailable.
func (a *Authenticator) Verify(ctx context.Context, raw string, typ TokenType) (*Claims, error) {
	c, err := a.tokens.Parse(raw, typ)
	if err != nil {
		return nil, err
	}
	if _, err := a.checkLive(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// checkLive runs the revocation and subject checks under CheckTimeout and
// returns the subject's record when Options.Subjects is a SubjectLoader.
func (a *Authenticator) checkLive(ctx context.Context, c *Claims) (record any, err error) {
	ctx, cancel := context.WithTimeout(ctx, a.opts.CheckTimeout)
	defer cancel()
	revoked, err := a.revocations.IsRevoked(ctx, c.Subject, c.SessionID, c.Epoch)
	switch {
	case err != nil:
		a.observe(EventCheckError, c.Subject, c.SessionID)
		a.opts.Logger.ErrorContext(ctx, "auth: revocation check failed", "err", err, "fail_open", a.opts.FailOpen)
		if !a.opts.FailOpen {
			return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
	case revoked:
		a.observe(EventCheckRevoked, c.Subject, c.SessionID)
		return nil, ErrTokenRevoked
	default:
		a.observe(EventCheckOK, c.Subject, c.SessionID)
	}
	if a.opts.Subjects == nil {
		return nil, nil
	}
	var exists bool
	if loader, ok := a.opts.Subjects.(SubjectLoader); ok {
		record, exists, err = loader.LoadSubject(ctx, c.Subject)
	} else {
		exists, err = a.opts.Subjects.Exists(ctx, c.Subject)
	}
	if err != nil {
		a.opts.Logger.ErrorContext(ctx, "auth: subject check failed", "err", err)
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if !exists {
		return nil, ErrUnknownSubject
	}
	return record, nil
}

func (a *Authenticator) observe(kind, subject, sessionID string) {
	if a.opts.OnEvent != nil {
		a.opts.OnEvent(Event{Kind: kind, Subject: subject, SessionID: sessionID})
	}
}

// Refresh exchanges the current refresh token of a session for a new pair:
// one conditional write to the SessionStore, so of several concurrent
// refreshes with one token exactly one succeeds. A refresh token of an
// earlier generation is reuse: the session ends (its access tokens die
// too), the event is logged as a security event and the call fails with
// ErrRefreshReused.
func (a *Authenticator) Refresh(ctx context.Context, raw string) (*TokenPair, error) {
	c, err := a.Verify(ctx, raw, RefreshToken)
	if err != nil {
		return nil, err
	}
	wctx, cancel := context.WithTimeout(ctx, a.opts.WriteTimeout)
	defer cancel()
	s, err := a.sessions.RotateSession(wctx, c.Subject, c.SessionID, c.Generation, c.Epoch, a.tokens.TTL(RefreshToken))
	switch {
	case errors.Is(err, ErrRefreshReused):
		a.opts.Logger.WarnContext(ctx, "auth: security: refresh token reused; its session was ended",
			"event", EventRefreshReuse, "user_id", c.Subject, "session_id", c.SessionID)
		a.observe(EventRefreshReuse, c.Subject, c.SessionID)
		if rerr := a.revokeSession(wctx, c.Subject, c.SessionID); rerr != nil {
			a.opts.Logger.ErrorContext(ctx, "auth: ending a reused session's access tokens failed", "err", rerr)
		}
		return nil, err
	case errors.Is(err, ErrSessionEnded), errors.Is(err, ErrSessionNotFound), errors.Is(err, ErrStaleCredentials):
		return nil, fmt.Errorf("%w: %w", ErrTokenRevoked, err)
	case err != nil:
		return nil, fmt.Errorf("%w: refresh: %w", ErrUnavailable, err)
	}
	return a.issuePair(s)
}

// EndSession ends the session sessionID of subject: first in the
// SessionStore (its refresh token dies), then in the RevocationStore (its
// access tokens die). It reports whether the session was live. Errors:
// ErrSessionNotFound, ErrUnavailable (a write failed or timed out; the
// session may be half ended, and ending it again is safe).
func (a *Authenticator) EndSession(ctx context.Context, subject, sessionID, reason string) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, a.opts.WriteTimeout)
	defer cancel()
	_, ended, err := a.sessions.EndSession(ctx, subject, sessionID, reason)
	if errors.Is(err, ErrSessionNotFound) {
		return false, err
	}
	if err != nil {
		return false, fmt.Errorf("%w: end session: %w", ErrUnavailable, err)
	}
	if err := a.revokeSession(ctx, subject, sessionID); err != nil {
		return false, err
	}
	a.observe(EventSessionEnded, subject, sessionID)
	return ended, nil
}

// EndSessions ends every live session of subject except the one named
// except ("" ends all of them) and returns how many it ended.
func (a *Authenticator) EndSessions(ctx context.Context, subject, except string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, a.opts.WriteTimeout)
	defer cancel()
	ended, err := a.sessions.EndSessions(ctx, subject, except, EndRevoked)
	if err != nil {
		return 0, fmt.Errorf("%w: end sessions: %w", ErrUnavailable, err)
	}
	for _, s := range ended {
		if err := a.revokeSession(ctx, subject, s.ID); err != nil {
			return 0, err
		}
		a.observe(EventSessionEnded, subject, s.ID)
	}
	return len(ended), nil
}

// ListSessions returns subject's live sessions, newest first.
func (a *Authenticator) ListSessions(ctx context.Context, subject string) ([]Session, error) {
	ctx, cancel := context.WithTimeout(ctx, a.opts.WriteTimeout)
	defer cancel()
	list, err := a.sessions.ListSessions(ctx, subject)
	if err != nil {
		return nil, fmt.Errorf("%w: list sessions: %w", ErrUnavailable, err)
	}
	return list, nil
}

// ChangeCredentials changes subject's credentials so that no token issued
// before survives, whatever fails:
//
//  1. the SessionStore raises the subject's credential epoch and ends all
//     its sessions (refresh tokens die, and a login that read the old
//     credentials can no longer start a session);
//  2. the RevocationStore learns the new epoch (access tokens die);
//  3. apply writes the new credentials (the password hash), or deletes
//     the account.
//
// If step 1 or 2 fails, apply is not called and the error wraps
// ErrUnavailable: the old credentials still work, and the old tokens may
// be dead. So a failure never leaves the new credentials in place beside
// live old tokens. On success it returns the credentials to start the
// caller's next session with.
func (a *Authenticator) ChangeCredentials(ctx context.Context, subject string, apply func(ctx context.Context) error) (Credentials, error) {
	wctx, cancel := context.WithTimeout(ctx, a.opts.WriteTimeout)
	epoch, err := a.sessions.ChangeCredentials(wctx, subject)
	if err == nil {
		err = a.revocations.RaiseEpoch(wctx, subject, epoch, a.keep)
	}
	cancel()
	if err != nil {
		if errors.Is(err, ErrSessionNotFound) {
			return Credentials{}, err
		}
		return Credentials{}, fmt.Errorf("%w: change credentials: %w", ErrUnavailable, err)
	}
	a.observe(EventSessionEnded, subject, "")
	if apply != nil {
		if err := apply(ctx); err != nil {
			return Credentials{}, err
		}
	}
	return Credentials{Subject: subject, Epoch: epoch}, nil
}

// RestoreRevocations copies the sessions ended recently (within an access
// token's lifetime) from the SessionStore into the RevocationStore. Call it
// at start-up: it restores an in-process store after a restart and a Redis
// store after a flush. It returns how many sessions it restored.
func (a *Authenticator) RestoreRevocations(ctx context.Context) (int, error) {
	ended, err := a.sessions.EndedSessions(ctx, a.keep)
	if err != nil {
		return 0, fmt.Errorf("auth: restore revocations: %w", err)
	}
	for _, s := range ended {
		if err := a.revocations.RevokeSession(ctx, s.Subject, s.ID, a.keep); err != nil {
			return 0, fmt.Errorf("auth: restore revocations: %w", err)
		}
	}
	return len(ended), nil
}

// revokeSession writes a session's end to the RevocationStore.
func (a *Authenticator) revokeSession(ctx context.Context, subject, sessionID string) error {
	if err := a.revocations.RevokeSession(ctx, subject, sessionID, a.keep); err != nil {
		return fmt.Errorf("%w: revoke session: %w", ErrUnavailable, err)
	}
	return nil
}

// httpError maps verification errors onto responses.
func httpError(err error, detail string) *httpx.Error {
	if errors.Is(err, ErrUnavailable) {
		return httpx.ServiceUnavailable("Authentication service temporarily unavailable").WithCause(err)
	}
	return httpx.Unauthorized(detail).WithCause(err)
}
