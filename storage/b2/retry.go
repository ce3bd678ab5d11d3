package b2

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/Backblaze/blazer/base"
)

// retry runs fn until it succeeds or fails for good: an expired
// authorization is renewed once (fn is called with fresh set), and what B2
// marks as transient is retried with backoff (honouring Retry-After) up to
// attempts times in all. The operation in ctx may end the retries sooner.
func retry(ctx context.Context, attempts int, fn func(fresh bool) error) error {
	fresh := false
	backoff := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := fn(fresh)
		switch {
		case err == nil:
			return nil
		case needsReauth(err) && !fresh:
			fresh = true
			continue
		case !retryable(ctx, err) || attempt >= attempts:
			return err
		}
		wait := retryAfter(err)
		if wait == 0 {
			wait = backoff/2 + rand.N(backoff/2+1)
			backoff *= 2
		}
		if serr := sleepCtx(ctx, wait); serr != nil {
			return errors.Join(err, serr)
		}
	}
}

func needsReauth(err error) bool {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status == http.StatusUnauthorized && (ae.Code == "" || ae.Code == "expired_auth_token" || ae.Code == "bad_auth_token")
	}
	return base.Action(err) == base.ReAuthenticate
}

func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var ae *apiError
	if errors.As(err, &ae) {
		return isTransient(ae.Status)
	}
	var rt *roundTripError
	return errors.As(err, &rt) || base.Action(err) == base.Retry
}

// roundTripError is a request of this package's own that got no answer
// (connection refused or reset); it is worth another try.
type roundTripError struct{ err error }

func (e *roundTripError) Error() string { return e.err.Error() }
func (e *roundTripError) Unwrap() error { return e.err }

func retryAfter(err error) time.Duration {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.retryAfter
	}
	return base.Backoff(err)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
