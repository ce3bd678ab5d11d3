package cache

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
)

// flightGroup runs one function per key at a time and shares its result
// with every caller that asked for the same key meanwhile. Unlike a plain
// singleflight, each caller waits with its own context, and the function
// runs detached from all of them, so one caller giving up never fails the
// others.
type flightGroup[T any] struct {
	mu    sync.Mutex
	calls map[string]*flight[T]
}

type flight[T any] struct {
	done chan struct{}
	val  T
	err  error
}

// do returns fn's result for key, starting fn unless a call for key is
// already running.
func (g *flightGroup[T]) do(ctx context.Context, key string, fn func() (T, error)) (T, error) {
	g.mu.Lock()
	f, running := g.calls[key]
	if !running {
		if g.calls == nil {
			g.calls = make(map[string]*flight[T])
		}
		f = &flight[T]{done: make(chan struct{})}
		g.calls[key] = f
	}
	g.mu.Unlock()
	if !running {
		go g.run(key, f, fn)
	}
	select {
	case <-f.done:
		return f.val, f.err
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("cache: wait for load: %w", ctx.Err())
	}
}

func (g *flightGroup[T]) run(key string, f *flight[T], fn func() (T, error)) {
	defer func() {
		if p := recover(); p != nil {
			slog.Error("cache: loader panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			f.err = fmt.Errorf("cache: loader panicked: %v", p)
		}
		g.mu.Lock()
		delete(g.calls, key)
		g.mu.Unlock()
		close(f.done)
	}()
	f.val, f.err = fn()
}
