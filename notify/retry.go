package notify

import (
	"errors"
	"fmt"
	"time"
)

// RetryAfterError is a failure for which the provider said when to try again
// (an HTTP Retry-After header), typically with ErrQuotaExceeded or
// ErrUnavailable.
type RetryAfterError struct {
	// After is how long to wait before retrying.
	After time.Duration
	// Err is the failure.
	Err error
}

// Error describes the failure and the advised delay.
func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("%v (retry after %v)", e.Err, e.After)
}

// Unwrap returns the failure, so errors.Is sees the sentinel.
func (e *RetryAfterError) Unwrap() error { return e.Err }

// RetryAfter reports the delay the provider advised for err, if it advised one.
func RetryAfter(err error) (time.Duration, bool) {
	var ra *RetryAfterError
	if errors.As(err, &ra) {
		return ra.After, true
	}
	return 0, false
}
