package gcs

import (
	"context"
	"math/rand/v2"
	"time"
)

// retryPolicy retries idempotent calls (reads and listings) that fail with a
// transient status, with jittered exponential backoff starting at 100ms.
type retryPolicy struct {
	attempts int
	base     time.Duration
	sleep    func(context.Context, time.Duration) error
}

func (p retryPolicy) do(ctx context.Context, fn func() error) error {
	base := p.base
	if base <= 0 {
		base = 100 * time.Millisecond
	}
	var err error
	for attempt := 1; ; attempt++ {
		err = fn()
		if !isRetryable(err) || attempt >= p.attempts {
			return err
		}
		d := base << (attempt - 1)
		d = d/2 + rand.N(d/2+1)
		if serr := p.sleep(ctx, d); serr != nil {
			return err
		}
	}
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
