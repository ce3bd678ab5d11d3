package mail

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Provider delivers messages through one email service. Implementations are
// safe for concurrent use.
type Provider interface {
	// Send submits msg once, without retrying. msg has been validated and
	// rendered (Template is empty, HTML and/or Text are set) and carries an
	// IdempotencyKey, which the provider must pass on so that a repeated
	// call cannot send twice. A provider answer other than success is
	// returned as *ProviderError; transport failures are returned wrapped.
	Send(ctx context.Context, msg *Message) (Result, error)
}

// Result describes an accepted message.
type Result struct {
	// ID is the provider's identifier of the message.
	ID string
}

// ProviderError is a non-success answer from a provider's API. It wraps
// ErrUnavailable for 429 and 5xx, ErrRejected otherwise.
type ProviderError struct {
	// Provider names the service, e.g. "resend".
	Provider string
	// StatusCode is the HTTP status.
	StatusCode int
	// Code is the provider's machine-readable error, e.g. "validation_error".
	Code string
	// Message is the provider's explanation.
	Message string
	// RetryAfter is the wait the provider asked for (Retry-After); zero
	// when it did not say.
	RetryAfter time.Duration
}

// Error implements the error interface.
func (e *ProviderError) Error() string {
	s := fmt.Sprintf("mail: %s: HTTP %d", e.Provider, e.StatusCode)
	if e.Code != "" {
		s += " " + e.Code
	}
	return s + ": " + e.Message
}

// Temporary reports whether the same request may succeed later (429, 5xx).
func (e *ProviderError) Temporary() bool {
	return e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
}

// Unwrap returns ErrUnavailable or ErrRejected.
func (e *ProviderError) Unwrap() error {
	if e.Temporary() {
		return ErrUnavailable
	}
	return ErrRejected
}

// parseRetryAfter reads a Retry-After value: delay-seconds or an HTTP date.
// It returns zero for an empty, invalid or past value.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 || secs > int64(24*time.Hour/time.Second) {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
