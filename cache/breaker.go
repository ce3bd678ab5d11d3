package cache

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/redis/rueidis"
)

// ErrUnavailable reports that a store skipped its backend because the
// backend failed moments ago (see RedisOptions.Cooldown).
var ErrUnavailable = errors.New("cache: backend unavailable")

// breaker fails operations fast for a cooldown after a connection-level
// failure, so that while Redis is down each request pays the operation
// timeout at most once per cooldown instead of on every cache call.
type breaker struct {
	cooldown  time.Duration
	downUntil atomic.Int64 // Unix nanoseconds; 0 when healthy
}

// check returns ErrUnavailable while the breaker is open.
func (b *breaker) check() error {
	if until := b.downUntil.Load(); until != 0 && time.Now().UnixNano() < until {
		return ErrUnavailable
	}
	return nil
}

// observe opens the breaker when err is a connection or timeout failure
// (not a Redis reply, nil, or the caller giving up) and closes it on success.
func (b *breaker) observe(err error) {
	if err == nil {
		if b.downUntil.Load() != 0 {
			b.downUntil.Store(0)
		}
		return
	}
	var re *rueidis.RedisError
	if errors.As(err, &re) || errors.Is(err, context.Canceled) {
		return
	}
	b.downUntil.Store(time.Now().Add(b.cooldown).UnixNano())
}

// guard runs op unless the breaker is open, and records its outcome.
func (b *breaker) guard(name string, op func() error) error {
	if err := b.check(); err != nil {
		return opErr(name, err)
	}
	err := op()
	b.observe(err)
	if err != nil {
		return opErr(name, err)
	}
	return nil
}
