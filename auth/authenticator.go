package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/internal/lazyctx"
)

// SubjectChecker reports whether a token's subject still exists (the API
// document requires the user of a token to exist).
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

// ErrUnavailable means a dependency of authentication (the revocation store
// or the subject check) failed or timed out; requests fail closed with 503
// unless Options.FailOpen is set.
var ErrUnavailable = errors.New("auth: authentication backend unavailable")

// Options configures an Authenticator. The zero value works.
type Options struct {
	// Subjects, when set, is asked whether a token's subject still exists
	// on every authenticated request; a deleted user's tokens get 401.
	// Default nil: not checked.
	// A SubjectLoader's record is kept in Identity.Record.
	Subjects SubjectChecker
	// FailOpen lets requests through when the revocation store errors or
	// times out. Default false: such requests get 503. Either way the
	// failure is logged.
	FailOpen bool
	// CheckTimeout bounds the revocation and subject checks of one
	// request. Default 500 ms.
	CheckTimeout time.Duration
	// Alternatives are tried, in order, for bearer tokens that are not
	// Groundwork tokens. An alternative whose error wraps ErrUnavailable
	// (it could not reach its key server, say) makes the request 503
	// instead of 401. Default none.
	Alternatives []TokenVerifier
	// Logger receives failures. Default slog.Default().
	Logger *slog.Logger
	// OnCheck, when set, is called after every revocation check with
	// "ok", "revoked" or "error" (for metrics). Default nil.
	OnCheck func(result string)
}

// Authenticator issues, verifies, refreshes and revokes tokens.
type Authenticator struct {
	tokens *Tokens
	store  RevocationStore
	opts   Options
}

// NewAuthenticator returns an Authenticator over tokens and store.
func NewAuthenticator(tokens *Tokens, store RevocationStore, opts Options) *Authenticator {
	if opts.CheckTimeout <= 0 {
		opts.CheckTimeout = 500 * time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Authenticator{tokens: tokens, store: store, opts: opts}
}

// Tokens returns the token issuer and parser.
func (a *Authenticator) Tokens() *Tokens { return a.tokens }

// TokenPair is the body of login, signup and refresh responses.
type TokenPair struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
}

// IssuePair issues an access token and a refresh token for subject.
func (a *Authenticator) IssuePair(subject string) (*TokenPair, error) {
	access, _, err := a.tokens.Issue(subject, AccessToken)
	if err != nil {
		return nil, err
	}
	refresh, _, err := a.tokens.Issue(subject, RefreshToken)
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
// returns the subject's record when Options.Subjects is a SubjectLoader. The
// timeout's timer starts only if a check waits (both are usually answered
// from process memory), which saves a timer per request.
func (a *Authenticator) checkLive(ctx context.Context, c *Claims) (record any, err error) {
	bounded := lazyctx.WithTimeout(ctx, a.opts.CheckTimeout)
	defer bounded.Cancel()
	ctx = bounded
	revoked, err := a.store.IsRevoked(ctx, c.Subject, c.ID, c.IssuedAt.Time)
	switch {
	case err != nil:
		a.observe("error")
		a.opts.Logger.ErrorContext(ctx, "auth: revocation check failed", "err", err, "fail_open", a.opts.FailOpen)
		if !a.opts.FailOpen {
			return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
	case revoked:
		a.observe("revoked")
		return nil, ErrTokenRevoked
	default:
		a.observe("ok")
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

func (a *Authenticator) observe(result string) {
	if a.opts.OnCheck != nil {
		a.opts.OnCheck(result)
	}
}

// Refresh exchanges a refresh token for a new pair and revokes the old
// refresh token atomically: of several concurrent refreshes with one token,
// exactly one succeeds.
func (a *Authenticator) Refresh(ctx context.Context, raw string) (*TokenPair, error) {
	c, err := a.Verify(ctx, raw, RefreshToken)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, a.opts.CheckTimeout)
	defer cancel()
	first, err := a.store.ConsumeToken(ctx, c.Subject, c.ID, c.Expiry())
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if !first {
		return nil, ErrTokenRevoked
	}
	return a.IssuePair(c.Subject)
}

// Revoke revokes the token described by c until it expires.
func (a *Authenticator) Revoke(ctx context.Context, c *Claims) error {
	if err := a.store.RevokeToken(ctx, c.Subject, c.ID, c.Expiry()); err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return nil
}

// RevokeUser rejects every token of subject issued before at: log-out
// everywhere, password change, account deletion. The cut-off is kept as
// long as any such token could still be valid.
func (a *Authenticator) RevokeUser(ctx context.Context, subject string, at time.Time) error {
	keepUntil := at.Add(a.tokens.MaxTTL() + a.tokens.opts.Leeway)
	if err := a.store.RevokeSubject(ctx, subject, at, keepUntil); err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return nil
}

// httpError maps verification errors onto responses.
func httpError(err error, detail string) error {
	if errors.Is(err, ErrUnavailable) {
		return httpx.ServiceUnavailable("Authentication service temporarily unavailable").WithCause(err)
	}
	return httpx.Unauthorized(detail).WithCause(err)
}
