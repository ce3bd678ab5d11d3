// Package lazyctx bounds work by a timeout whose timer starts only when
// something waits on the context.
//
// context.WithTimeout registers with its parent and starts a timer at once.
// On a hot path whose calls usually finish without waiting (a lookup served
// from a process-local cache), that setup and its cancellation cost more
// than the lookup. WithTimeout here returns a context that reports its
// deadline and answers Err by the clock, and creates the real timer only on
// the first call to Done, that is, when some callee is about to block.
package lazyctx

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// closed is the Done channel of a context released before it started.
var closed = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

const (
	lazy     = iota // no timer yet
	started         // timed holds the real context
	released        // cancelled before it started
)

// Timeout is the context returned by WithTimeout.
type Timeout struct {
	parent   context.Context
	deadline time.Time

	state  atomic.Uint32
	mu     sync.Mutex
	timed  context.Context
	cancel context.CancelFunc
}

// WithTimeout returns a child of parent that ends d from now, when parent
// ends, or when Cancel is called, like context.WithTimeout. The timer starts
// on the first call to Done; until then Err compares the clock with the
// deadline. Call Cancel when the work is done, as with the cancel function
// of context.WithTimeout (a method rather than a returned function, which
// would cost an allocation).
func WithTimeout(parent context.Context, d time.Duration) *Timeout {
	return &Timeout{parent: parent, deadline: time.Now().Add(d)}
}

// Deadline returns the earlier of the parent's deadline and this one.
func (c *Timeout) Deadline() (time.Time, bool) {
	if d, ok := c.parent.Deadline(); ok && d.Before(c.deadline) {
		return d, true
	}
	return c.deadline, true
}

// Done starts the timer on first use.
func (c *Timeout) Done() <-chan struct{} {
	switch c.state.Load() {
	case started:
		return c.timed.Done()
	case released:
		return closed
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state.Load() == lazy {
		// Publish the timer context before the state that lets other
		// goroutines read it without the lock.
		c.timed, c.cancel = context.WithDeadline(c.parent, c.deadline)
		if !c.state.CompareAndSwap(lazy, started) { // released meanwhile
			c.cancel()
			return closed
		}
	}
	if c.state.Load() == released {
		return closed
	}
	return c.timed.Done()
}

// Err reports why the context ended: the started timer's error, Canceled
// after Cancel, the parent's error, or DeadlineExceeded once the deadline
// has passed (read from the clock, without a timer).
func (c *Timeout) Err() error {
	switch c.state.Load() {
	case started:
		return c.timed.Err()
	case released:
		return context.Canceled
	}
	if err := c.parent.Err(); err != nil {
		return err
	}
	if !time.Now().Before(c.deadline) {
		return context.DeadlineExceeded
	}
	return nil
}

// Value returns the parent's value for key.
func (c *Timeout) Value(key any) any { return c.parent.Value(key) }

// Cancel ends the context: it marks a lazy one as cancelled so that it
// never starts a timer, or stops the started timer.
func (c *Timeout) Cancel() {
	if c.state.CompareAndSwap(lazy, released) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state.Load() == started {
		c.cancel()
	}
}
