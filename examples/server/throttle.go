package main

import (
	"context"
	"net/http"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/groundwork-go/groundwork/auth"
	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/ratelimit"
)

// Policies beyond the four tiers, each with its own bucket (a limiter
// scopes keys by policy name):
//
//   - loginUser: the strict tier per login name, so a distributed guess at
//     one account is limited too (in addition to the strict tier per IP);
//   - passwordUser, passwordIP: the strict tier for password changes per
//     user and per IP (in addition to the user tier), so a stolen access
//     token cannot brute-force the current password;
//   - authFailures: the default tier per IP for requests that fail
//     authentication (no, bad, expired or revoked token; a wrong
//     password), so token guessing and floods of unauthenticated requests
//     are limited. Only failures pay for it: an authenticated request makes
//     no decision here.
func (c *components) throttlePolicies() {
	named := func(p ratelimit.Policy, name string) ratelimit.Policy {
		p.Name = name
		return p
	}
	c.loginUser = named(c.tiers.Strict, "login-user")
	c.passwordUser = named(c.tiers.Strict, "password-user")
	c.passwordIP = named(c.tiers.Strict, "password-ip")
	c.authFailures = named(c.tiers.Default, "auth-failures")
}

// throttledCredentials limits login attempts per login name before any
// password hashing. A denied attempt answers 429 with Retry-After.
type throttledCredentials struct {
	inner   auth.CredentialChecker
	limiter *ratelimit.Limiter
	policy  ratelimit.Policy
}

// CheckCredentials implements auth.CredentialChecker.
func (t throttledCredentials) CheckCredentials(ctx context.Context, login, password string) (auth.Credentials, error) {
	res, _ := t.limiter.Allow(ctx, "login:"+loginKey(login), t.policy)
	if !res.Allowed && res.Limit > 0 {
		return auth.Credentials{}, &throttled{err: httpx.NewError(http.StatusTooManyRequests, httpx.CodeRateLimited,
			"Too many login attempts for this account. Please wait before trying again."), retry: res.RetryAfter}
	}
	return t.inner.CheckCredentials(ctx, login, password)
}

// loginKey folds a login name the way the user store compares it: trimmed,
// NFKC-normalised and lower-cased.
func loginKey(login string) string {
	return strings.ToLower(norm.NFKC.String(strings.TrimSpace(login)))
}

// throttled is a 429 that says when to retry (auth's login handler sets
// Retry-After from RetryAfter).
type throttled struct {
	err   *httpx.Error
	retry time.Duration
}

func (t *throttled) Error() string { return t.err.Error() }

// Unwrap exposes the *httpx.Error to errors.As.
func (t *throttled) Unwrap() error { return t.err }

// RetryAfter is how long the client should wait.
func (t *throttled) RetryAfter() time.Duration { return max(t.retry, time.Second) }

// authErrorWriter is auth.Options.ErrorWriter: a 401 counts against the
// authFailures policy by client IP, and once that is spent the answer is
// 429 instead. Other errors are written as they are.
func (c *components) authErrorWriter(w http.ResponseWriter, r *http.Request, e *httpx.Error) {
	if c.limiter != nil && e.Status == http.StatusUnauthorized {
		res, outcome := c.limiter.Allow(r.Context(), ratelimit.ByIP(r), c.authFailures)
		if !res.Allowed && (outcome == ratelimit.OutcomeDenied || outcome == ratelimit.OutcomeFallbackDenied) {
			w.Header().Del("WWW-Authenticate")
			res.SetHeaders(w.Header())
			httpx.WriteError(w, r, httpx.NewError(http.StatusTooManyRequests, httpx.CodeRateLimited, ratelimit.DeniedDetail))
			return
		}
	}
	httpx.WriteError(w, r, e)
}
