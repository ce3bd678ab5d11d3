package cache

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
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
//
// Loads are coherent with invalidation, in every process sharing the
// store: a load stores its result only if no Set, Delete, DeleteTag or
// DeletePrefix of key happened since it started (see Store.Claim), and a
// GetOrLoad that starts after such a call returned never shares a load
// that started before it. A miss therefore costs one Store.Claim (a round
// trip to Redis) per caller, before the shared load. The load runs detached
// from the callers' contexts, bounded by TypedOptions.LoadTimeout; one that
// takes longer than that may not store its result. If the store fails, the
// loader still answers and its result is not stored.
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
	return c.loadShared(ctx, key, load)
}

// loadShared claims key and runs load, shared with every concurrent caller
// that got the same claim. Callers that got different claims (because the
// key was written or deleted in between) never share a load.
func (c *Typed[T]) loadShared(ctx context.Context, key string, load func(context.Context) (T, error)) (T, error) {
	claim, v, done, err := c.claim(ctx, key)
	if done {
		return v, err
	}
	ch := c.group.DoChan(claim+"\x00"+key, func() (any, error) {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.LoadTimeout)
		defer cancel()
		return c.load(lctx, key, claim, load)
	})
	select {
	case r := <-ch:
		return r.Val.(T), r.Err
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("cache: wait for load: %w", ctx.Err())
	}
}

// claim asks the store for key's claim. done is true when the store holds
// a value after all (stored since the caller's read), returned as v and
// err. An undecodable value is deleted and claimed again. When the store
// fails, claim is empty: the load then stores nothing.
func (c *Typed[T]) claim(ctx context.Context, key string) (claim string, v T, done bool, err error) {
	for range 2 {
		data, claim, err := c.store.Claim(ctx, key, c.opts.LoadTimeout+claimSlack)
		switch {
		case errors.Is(err, ErrNotFound):
			return claim, v, false, nil
		case err != nil:
			c.backendError(ctx, "claim", err)
			return "", v, false, nil
		}
		got, err := c.decode(data)
		switch {
		case err == nil:
			return "", got, true, nil
		case errors.Is(err, errAbsent):
			return "", got, true, c.opts.NotFound
		}
		// Reported when the caller's read met it; replace it.
		if err := c.store.Delete(ctx, key); err != nil {
			c.backendError(ctx, "delete", err)
			return "", v, false, nil
		}
	}
	return "", v, false, nil
}

// claimSlack is how much longer than TypedOptions.LoadTimeout a claim
// lives, so that a load finishing just in time can still store its result.
const claimSlack = 2 * time.Second

// load runs the loader (after taking the cross-process lock, or waiting
// for its holder) and stores the result if key still holds claim. It first
// looks at the store again: a load that finished just before this one
// started may have filled it. It never panics: a panicking loader becomes
// an error.
func (c *Typed[T]) load(ctx context.Context, key, claim string, load func(context.Context) (T, error)) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			c.opts.Logger.ErrorContext(ctx, "cache: loader panicked", "cache", c.opts.Name,
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			var zero T
			v, err = zero, fmt.Errorf("cache: loader panicked: %v", p)
		}
	}()
	if c.lock != nil {
		release, v, done, err := c.lockOrWait(ctx, key, claim)
		if done {
			return v, err
		}
		if release != nil {
			defer release()
		}
	} else {
		// A load of the same claim that ended just before this one
		// started has stored the value.
		switch got, err := c.read(ctx, key); {
		case err == nil:
			return got, nil
		case errors.Is(err, errAbsent):
			return got, c.opts.NotFound
		}
	}
	v, err = load(ctx)
	if err != nil {
		var zero T
		if !errors.Is(err, c.opts.NotFound) {
			c.event(EventLoadError)
			return zero, err
		}
		c.event(EventLoad)
		if c.opts.NegativeTTL > 0 {
			c.storeClaimed(ctx, key, claim, []byte{}, c.opts.NegativeTTL)
		}
		return zero, err
	}
	c.event(EventLoad)
	data, merr := c.encode(v)
	if merr != nil {
		c.backendError(ctx, "encode", merr)
		return v, nil
	}
	c.storeClaimed(ctx, key, claim, data, c.opts.TTL)
	return v, nil
}

// storeClaimed stores data under key if key still holds claim. A refusal
// is the expected outcome when key was written or deleted meanwhile.
func (c *Typed[T]) storeClaimed(ctx context.Context, key, claim string, data []byte, ttl time.Duration) {
	if claim == "" {
		return
	}
	if _, err := c.store.SetClaimed(ctx, key, claim, data, ttl); err != nil {
		c.backendError(ctx, "set", err)
	}
}

// lockOrWait takes the cross-process load lock of key and claim, or waits
// for the process holding it to store the value. done is true when v and
// err are the answer (a value stored by the holder before us, or while we
// waited); otherwise the caller loads, and calls release, when non-nil,
// after storing. The lock is per claim: a load that starts after an
// invalidation never waits for one that started before it.
func (c *Typed[T]) lockOrWait(ctx context.Context, key, claim string) (release func(), v T, done bool, err error) {
	release, ok, err := c.lock.TryLock(ctx, key+"\x00"+claim, c.opts.LockTTL)
	switch {
	case err != nil:
		c.backendError(ctx, "lock", err)
		return nil, v, false, nil
	case !ok:
		v, done, err = c.awaitHolder(ctx, key)
		return nil, v, done, err
	}
	// The holder before us may have stored the value a moment ago; a
	// process-local copy may not know yet.
	switch got, err := c.readFresh(ctx, key); {
	case err == nil:
		release()
		return nil, got, true, nil
	case errors.Is(err, errAbsent):
		release()
		return nil, got, true, c.opts.NotFound
	}
	return release, v, false, nil
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
