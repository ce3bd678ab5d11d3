package cache

import (
	"context"
	"errors"
	"time"
)

// GetOrLoad returns the value under key, calling load on a miss and caching
// its result for TypedOptions.TTL.
//
// Concurrent misses of one key in this process share a single call of load
// (and, with LockTTL, across processes). A loader error is returned to every
// caller sharing the load and is not cached, except that a NotFound answer
// is cached for NegativeTTL when that is set. A store failure (Redis down,
// an undecodable value) never fails the call: it is logged, reported as
// EventBackendError and the loader answers instead.
func (c *Typed[T]) GetOrLoad(ctx context.Context, key string, load func(ctx context.Context) (T, error)) (T, error) {
	v, err := c.read(ctx, key)
	switch {
	case err == nil:
		c.event(EventHit)
		return v, nil
	case errors.Is(err, errAbsent):
		c.event(EventHit)
		return v, c.opts.NotFound
	case errors.Is(err, ErrNotFound):
		c.event(EventMiss)
	default:
		c.backendError(ctx, "get", err)
	}
	return c.group.do(ctx, key, func() (T, error) {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.LoadTimeout)
		defer cancel()
		return c.load(lctx, key, load)
	})
}

// load runs the loader (after taking the cross-process lock, or waiting
// for its holder) and stores the result. It first looks at the store again:
// a load that finished just before this one started has filled it.
func (c *Typed[T]) load(ctx context.Context, key string, load func(context.Context) (T, error)) (T, error) {
	read := c.read
	if c.lock != nil {
		release, ok, err := c.lock.TryLock(ctx, key, c.opts.LockTTL)
		switch {
		case err != nil:
			c.backendError(ctx, "lock", err)
		case ok:
			defer release()
			// The holder before us may have stored the value a moment
			// ago; a process-local copy may not know yet.
			read = c.readFresh
		default:
			if v, done, err := c.awaitHolder(ctx, key); done {
				return v, err
			}
		}
	}
	switch v, err := read(ctx, key); {
	case err == nil:
		return v, nil
	case errors.Is(err, errAbsent):
		return v, c.opts.NotFound
	}
	v, err := load(ctx)
	if err != nil {
		var zero T
		if !errors.Is(err, c.opts.NotFound) {
			c.event(EventLoadError)
			return zero, err
		}
		c.event(EventLoad)
		if c.opts.NegativeTTL > 0 {
			if serr := c.store.Set(ctx, key, []byte{}, c.opts.NegativeTTL); serr != nil {
				c.backendError(ctx, "set", serr)
			}
		}
		return zero, err
	}
	c.event(EventLoad)
	if serr := c.Set(ctx, key, v); serr != nil {
		c.backendError(ctx, "set", serr)
	}
	return v, nil
}

// readFresh is read past any process-local copy of the store.
func (c *Typed[T]) readFresh(ctx context.Context, key string) (T, error) {
	b, err := c.lock.getFresh(ctx, key)
	if err != nil {
		var zero T
		return zero, err
	}
	return c.decode(b)
}

// awaitHolder waits, polling with growing intervals, for another process
// holding the load lock to store key's value. done is false when the lock
// expired first or the store failed: the caller then loads itself.
func (c *Typed[T]) awaitHolder(ctx context.Context, key string) (v T, done bool, err error) {
	deadline := time.Now().Add(c.opts.LockTTL)
	wait := 2 * time.Millisecond
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return v, true, ctx.Err()
		case <-timer.C:
		}
		got, err := c.read(ctx, key)
		switch {
		case err == nil:
			return got, true, nil
		case errors.Is(err, errAbsent):
			return v, true, c.opts.NotFound
		case !errors.Is(err, ErrNotFound):
			c.backendError(ctx, "get", err)
			return v, false, nil
		}
		if time.Now().After(deadline) {
			return v, false, nil
		}
		wait = min(2*wait, 50*time.Millisecond)
		timer.Reset(wait)
	}
}
