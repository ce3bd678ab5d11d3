package ratelimit

import (
	"errors"
	"fmt"
	"time"
)

// Bounds of a valid Policy.
const (
	// MaxLimit is the largest Policy.Limit accepted. Stores keep up to
	// Limit timestamps (8 bytes each) per key, so it also bounds the memory
	// of one key.
	MaxLimit = 1_000_000
	// MaxWindow is the longest Policy.Window accepted; it keeps microsecond
	// arithmetic exact in Redis's Lua numbers.
	MaxWindow = 100 * 365 * 24 * time.Hour
)

// ErrInvalidPolicy is returned (wrapped) for a Policy whose Limit or Window is
// out of range.
var ErrInvalidPolicy = errors.New("ratelimit: invalid policy")

// Policy is a limit of Limit requests in any interval of length Window.
type Policy struct {
	// Name scopes the policy's counters, so one client's requests under
	// different policies (say "strict" for login and "default" elsewhere) are
	// counted apart. Default: derived from Limit and Window, for example
	// "100/1m0s"; two unnamed policies with the same numbers share counters.
	Name string
	// Limit is the number of requests allowed in any window, 1 to MaxLimit.
	Limit int
	// Window is the length of the sliding window, from one microsecond to
	// MaxWindow. Stores work in whole microseconds; anything finer is
	// truncated.
	Window time.Duration
	// Fail is what a Limiter does with a request under this policy when
	// its store fails or does not answer within the Limiter's timeout.
	// Stores ignore it. Default: FailOpen.
	Fail FailMode
}

// FailMode is what a Limiter does with a request when its store fails or
// is slow.
type FailMode int

// Fail modes of a Policy.
const (
	// FailOpen allows the request without a decision, so an outage of the
	// store never takes the API down with it. A client is then not
	// limited at all while the store fails: suitable for limits that
	// share load fairly, not for those that guard against guessing.
	FailOpen FailMode = iota
	// FailLocal decides the request with the Limiter's in-process memory
	// store (Options.Fallback) under the same policy and key, so each
	// process still enforces the limit on its own: while the store fails,
	// a client gets at most Limit requests per window from each process.
	// Requests the store allows are recorded in the fallback too, so a
	// store that flaps does not give a client Limit more in each process.
	FailLocal
	// FailClosed denies the request with 503 Service Unavailable. No
	// client gets through while the store fails, including those within
	// their limit.
	FailClosed
)

// String returns "open", "local" or "closed".
func (m FailMode) String() string {
	switch m {
	case FailOpen:
		return "open"
	case FailLocal:
		return "local"
	case FailClosed:
		return "closed"
	}
	return "unknown"
}

// Validate reports an error wrapping ErrInvalidPolicy when p cannot be used.
func (p Policy) Validate() error {
	if p.Limit < 1 || p.Limit > MaxLimit {
		return fmt.Errorf("%w: limit %d not in [1, %d]", ErrInvalidPolicy, p.Limit, MaxLimit)
	}
	if p.Window < time.Microsecond || p.Window > MaxWindow {
		return fmt.Errorf("%w: window %v not in [1µs, %v]", ErrInvalidPolicy, p.Window, MaxWindow)
	}
	return nil
}

// scope returns the key prefix that separates this policy's counters.
func (p Policy) scope() string {
	if p.Name != "" {
		return p.Name
	}
	return fmt.Sprintf("%d/%v", p.Limit, p.Window)
}

// Tiers are four policies that cover a typical JSON API: one for
// authentication endpoints, one for general and one for public endpoints,
// all per IP, and one for authenticated endpoints, per user.
type Tiers struct {
	// Strict guards authentication endpoints (login, signup, password
	// change), per IP. It fails locally (FailLocal): a slow or failing
	// store must not open the door to password guessing.
	Strict Policy
	// Default applies to general API endpoints, per IP.
	Default Policy
	// Lenient applies to public endpoints such as health checks and docs, per IP.
	Lenient Policy
	// User applies to authenticated endpoints, per user id.
	User Policy
}

// DefaultTiers returns tiers of 10, 100, 1000 and 300 requests per minute
// for Strict, Default, Lenient and User.
func DefaultTiers() Tiers {
	return NewTiers(10, 100, 1000, 300, time.Minute)
}

// NewTiers returns tiers named "strict", "default", "lenient" and "user" with
// the given limits, all over window. Strict fails locally (FailLocal); the
// others fail open.
func NewTiers(strict, def, lenient, user int, window time.Duration) Tiers {
	return Tiers{
		Strict:  Policy{Name: "strict", Limit: strict, Window: window, Fail: FailLocal},
		Default: Policy{Name: "default", Limit: def, Window: window},
		Lenient: Policy{Name: "lenient", Limit: lenient, Window: window},
		User:    Policy{Name: "user", Limit: user, Window: window},
	}
}
