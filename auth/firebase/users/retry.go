package users

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"google.golang.org/api/googleapi"
)

// Default retry settings of a Client (see Config).
const (
	// DefaultMaxRetries is how many times an idempotent call is retried
	// after an ErrUnavailable failure.
	DefaultMaxRetries = 3
	// DefaultRetryBackoff is the first wait between retries when the
	// service sends no Retry-After; it doubles with each retry.
	DefaultRetryBackoff = 500 * time.Millisecond
	// DefaultMaxRetryDelay caps one wait between retries.
	DefaultMaxRetryDelay = 10 * time.Second
	// DefaultRetryBudget bounds the time a call spends in all its attempts
	// and waits before it stops retrying.
	DefaultRetryBudget = 30 * time.Second
	// DefaultAttemptTimeout bounds one HTTP attempt.
	DefaultAttemptTimeout = 20 * time.Second
)

// retryPolicy is the resolved retry configuration of a Client.
type retryPolicy struct {
	maxRetries     int
	backoff        time.Duration
	maxDelay       time.Duration
	budget         time.Duration
	attemptTimeout time.Duration
	// wait pauses between attempts and clock reads the time for the budget;
	// tests replace both to run retries on a fake clock.
	wait  func(ctx context.Context, d time.Duration) error
	clock func() time.Time
}

// newRetryPolicy applies the defaults to the retry fields of cfg.
func newRetryPolicy(cfg Config) retryPolicy {
	p := retryPolicy{
		maxRetries:     cfg.MaxRetries,
		backoff:        positiveOr(cfg.RetryBackoff, DefaultRetryBackoff),
		maxDelay:       positiveOr(cfg.MaxRetryDelay, DefaultMaxRetryDelay),
		budget:         positiveOr(cfg.RetryBudget, DefaultRetryBudget),
		attemptTimeout: positiveOr(cfg.AttemptTimeout, DefaultAttemptTimeout),
		wait:           wait,
		clock:          time.Now,
	}
	switch {
	case cfg.MaxRetries == 0:
		p.maxRetries = DefaultMaxRetries
	case cfg.MaxRetries < 0:
		p.maxRetries = 0
	}
	return p
}

func positiveOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// call runs attempt, each try bounded by the attempt timeout, and maps its
// error. An idempotent call is retried while the failure is ErrUnavailable
// (429, 5xx, transport error), the retry count and the time budget allow it
// and the caller's context is live; a non-idempotent call is tried once.
func (c *Client) call(ctx context.Context, op string, idempotent bool, attempt func(ctx context.Context, n int) error) error {
	start := c.retry.clock()
	for n := 0; ; n++ {
		actx, cancel := context.WithTimeout(ctx, c.retry.attemptTimeout)
		err := attempt(actx, n)
		cancel()
		if err == nil {
			return nil
		}
		mapped := mapError(ctx, op, err)
		if !idempotent || !errors.Is(mapped, ErrUnavailable) || ctx.Err() != nil {
			return mapped
		}
		now := c.retry.clock()
		delay, ok := c.retry.delay(n, retryAfter(err, now), now.Sub(start))
		if !ok {
			return mapped
		}
		if werr := c.retry.wait(ctx, delay); werr != nil {
			return fmt.Errorf("firebase users: %s: %w: %w", op, werr, mapped)
		}
	}
}

// delay returns the wait before retry number n+1, or false when the call
// must stop: retries exhausted, a Retry-After beyond maxDelay, or a wait
// that would end past the time budget.
func (p retryPolicy) delay(n int, after, elapsed time.Duration) (time.Duration, bool) {
	if n >= p.maxRetries {
		return 0, false
	}
	d := min(p.backoff<<n, p.maxDelay)
	if after > 0 {
		if after > p.maxDelay {
			return 0, false
		}
		d = after
	}
	if elapsed+d > p.budget {
		return 0, false
	}
	return d, true
}

// retryAfter reads the Retry-After header of an API error: delay-seconds or
// an HTTP date. Zero means absent or unreadable.
func retryAfter(err error, now time.Time) time.Duration {
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) || gerr.Header == nil {
		return 0
	}
	h := gerr.Header.Get("Retry-After")
	if h == "" {
		return 0
	}
	if n, err := strconv.ParseInt(h, 10, 64); err == nil {
		return max(time.Duration(n)*time.Second, 0)
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// wait pauses for d or until ctx is done.
func wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
