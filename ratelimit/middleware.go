package ratelimit

import (
	"net/http"
	"strconv"

	"github.com/groundwork-go/groundwork/httpx"
)

// DeniedDetail is the client-facing detail of a 429 response.
const DeniedDetail = "Rate limit exceeded. Please slow down your requests."

// Response headers set by Middleware.
const (
	HeaderLimit      = "X-RateLimit-Limit"
	HeaderRemaining  = "X-RateLimit-Remaining"
	HeaderReset      = "X-RateLimit-Reset"
	HeaderRetryAfter = "Retry-After"
)

// UnavailableDetail is the client-facing detail of a 503 response for a
// FailClosed policy whose store failed.
const UnavailableDetail = "Rate limiting is unavailable. Please retry shortly."

// Middleware limits requests to p, counting them by key. Every decided
// response carries X-RateLimit-Limit, X-RateLimit-Remaining and
// X-RateLimit-Reset (Unix seconds, rounded up); a request over the limit gets
// 429 with Retry-After (seconds, rounded up) and code RATE_LIMITED, and the
// next handler is not called. When the store fails, p.Fail decides: a
// FailOpen request passes without rate-limit headers; a FailLocal request
// is decided by the fallback store as above; a FailClosed request gets 503
// with X-RateLimit-Limit, Retry-After and code SERVICE_UNAVAILABLE. Error
// responses are written by Options.ErrorWriter, by default in the httpx
// error envelope. Middleware panics if p is invalid, like http.ServeMux does
// for a bad pattern.
func (l *Limiter) Middleware(p Policy, key KeyFunc) func(http.Handler) http.Handler {
	if err := p.Validate(); err != nil {
		panic(err)
	}
	limit := strconv.Itoa(p.Limit)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			k := key(r)
			if k == "" {
				next.ServeHTTP(w, r)
				return
			}
			res, outcome := l.Allow(r.Context(), k, p)
			switch {
			case outcome == OutcomeFailedOpen:
				next.ServeHTTP(w, r)
			case outcome == OutcomeFailedClosed:
				h := w.Header()
				h[canonicalLimit] = []string{limit}
				h.Set(HeaderRetryAfter, strconv.FormatInt(max(1, ceilDiv(res.RetryAfter.Microseconds(), 1e6)), 10))
				l.errWriter.Write(w, r, httpx.NewError(http.StatusServiceUnavailable, httpx.CodeServiceUnavailable, UnavailableDetail))
			case !res.Allowed:
				setHeaders(w.Header(), limit, res)
				l.errWriter.Write(w, r, httpx.NewError(http.StatusTooManyRequests, httpx.CodeRateLimited, DeniedDetail))
			default:
				setHeaders(w.Header(), limit, res)
				next.ServeHTTP(w, r)
			}
		})
	}
}

// Canonical forms of the rate-limit header names, so that setHeaders can
// assign them without canonicalising on every response.
var (
	canonicalLimit     = http.CanonicalHeaderKey(HeaderLimit)
	canonicalRemaining = http.CanonicalHeaderKey(HeaderRemaining)
	canonicalReset     = http.CanonicalHeaderKey(HeaderReset)
)

// SetHeaders sets on h the headers Middleware sends with a decision:
// X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset, and
// Retry-After when r denies. Use it when writing a response for a decision
// made with Limiter.Allow.
func (r Result) SetHeaders(h http.Header) {
	setHeaders(h, strconv.Itoa(r.Limit), r)
}

// setHeaders sets the three rate-limit headers (as Header.Set would) with
// one allocation for their values, and Retry-After when res denies; limit
// is res.Limit formatted.
func setHeaders(h http.Header, limit string, res Result) {
	v := []string{limit, strconv.Itoa(res.Remaining), strconv.FormatInt(res.ResetUnix(), 10)}
	h[canonicalLimit] = v[0:1:1]
	h[canonicalRemaining] = v[1:2:2]
	h[canonicalReset] = v[2:3:3]
	if !res.Allowed {
		h.Set(HeaderRetryAfter, strconv.FormatInt(res.RetryAfterSeconds(), 10))
	}
}
