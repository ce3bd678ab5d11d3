package ratelimit

import (
	"context"
	"time"
)

// Store decides requests against a policy and records the allowed ones.
//
// Allow must be atomic per key: concurrent calls for one key, from any number
// of processes sharing the store, behave as if made one after another. It
// allows the request when fewer than p.Limit requests were allowed under key
// in the p.Window before the store's clock, records it if so, and never
// records a denied request. The store's clock never runs backwards for a key.
// p.Name is ignored; key is already complete. It returns an error wrapping
// ErrInvalidPolicy for an invalid p, and an error wrapping ctx.Err() when ctx
// ends first.
type Store interface {
	Allow(ctx context.Context, key string, p Policy) (Result, error)
}

// Result is the outcome of one decision.
type Result struct {
	// Allowed reports whether the request is within the limit.
	Allowed bool
	// Limit is the policy's limit.
	Limit int
	// Remaining is how many more requests would be allowed right now,
	// counting this one if it was allowed.
	Remaining int
	// Reset is when the oldest request still in the window leaves it, that is
	// when Remaining next goes up. For a denied request it is the earliest
	// time a retry can succeed.
	Reset time.Time
	// RetryAfter is Reset minus Time for a denied request, and zero for an
	// allowed one.
	RetryAfter time.Duration
	// Time is the store's clock at the decision (Redis TIME for the Redis
	// store), in microseconds.
	Time time.Time
}

// ResetUnix returns Reset as Unix time in whole seconds, rounded up so that a
// client waiting until then finds the slot free. It is the X-RateLimit-Reset
// header value.
func (r Result) ResetUnix() int64 {
	return ceilDiv(r.Reset.UnixMicro(), 1e6)
}

// RetryAfterSeconds returns RetryAfter in whole seconds, rounded up, at least
// 1 for a denied request: the Retry-After header value.
func (r Result) RetryAfterSeconds() int64 {
	if r.Allowed {
		return 0
	}
	return max(1, ceilDiv(r.RetryAfter.Microseconds(), 1e6))
}

// decision is a store's answer in microseconds, turned into a Result by result.
type decision struct {
	allowed   bool
	remaining int
	reset     int64 // µs since the Unix epoch
	now       int64 // µs since the Unix epoch
}

func (d decision) result(limit int) Result {
	r := Result{
		Allowed:   d.allowed,
		Limit:     limit,
		Remaining: d.remaining,
		Reset:     time.UnixMicro(d.reset),
		Time:      time.UnixMicro(d.now),
	}
	if !d.allowed {
		r.RetryAfter = time.Duration(d.reset-d.now) * time.Microsecond
	}
	return r
}

func ceilDiv(a, b int64) int64 {
	q := a / b
	if a%b > 0 {
		q++
	}
	return q
}
