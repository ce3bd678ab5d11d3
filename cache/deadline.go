package cache

import (
	"context"
	"sync"
	"time"
)

// deadlineCtx gives a context without a deadline one, cheaply: it has no
// timer, so it does not interrupt a wait, but rueidis stops retrying a
// command once the deadline is near (it retries reads forever on a context
// without one). A connection that hangs is detected by the client's own
// keep-alive. They are pooled, so a client-side cache hit allocates nothing.
type deadlineCtx struct {
	context.Context
	deadline time.Time
}

func (c *deadlineCtx) Deadline() (time.Time, bool) { return c.deadline, true }

func (c *deadlineCtx) Err() error {
	if err := c.Context.Err(); err != nil {
		return err
	}
	if !time.Now().Before(c.deadline) {
		return context.DeadlineExceeded
	}
	return nil
}

var deadlineCtxs = sync.Pool{New: func() any { return new(deadlineCtx) }}

// bounded returns ctx limited to timeout when ctx has no earlier deadline,
// and the pooled context to hand to release when the operation is over.
func bounded(ctx context.Context, timeout time.Duration) (context.Context, *deadlineCtx) {
	deadline := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && !d.After(deadline) {
		return ctx, nil
	}
	c := deadlineCtxs.Get().(*deadlineCtx)
	c.Context, c.deadline = ctx, deadline
	return c, c
}

// putDeadline returns c, if any, to the pool.
func putDeadline(c *deadlineCtx) {
	if c != nil {
		c.Context = nil
		deadlineCtxs.Put(c)
	}
}
