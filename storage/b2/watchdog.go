package b2

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/groundwork-go/groundwork/storage"
)

// errStalled ends a request that made no progress for Options.IdleTimeout.
var errStalled = errors.New("no progress")

// send passes r to the next transport under a watchdog: while the request
// body is being sent, while the answer is awaited and while a Read of the
// answer's body is blocked, the request is cancelled once it has made no
// progress for t.idle. A stalled request fails with an error wrapping
// storage.ErrUnavailable that blazer and this package retry like a failed
// connection.
func (t *transport) send(r *http.Request) (*http.Response, error) {
	if t.idle <= 0 {
		return t.next.RoundTrip(r)
	}
	ctx, cancel := context.WithCancelCause(r.Context())
	w := &watchdog{idle: t.idle, cancel: cancel}
	r = r.WithContext(ctx)
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = &sendingBody{ReadCloser: r.Body, w: w}
	}
	w.kick()
	resp, err := t.next.RoundTrip(r)
	w.stop()
	if err != nil {
		err = w.explain(ctx, err)
		cancel(nil)
		return nil, err
	}
	resp.Body = &receivingBody{ReadCloser: resp.Body, w: w, ctx: ctx, cancel: cancel}
	return resp, nil
}

// watchdog cancels a request when its timer, restarted on every sign of
// progress, runs out.
type watchdog struct {
	idle   time.Duration
	cancel context.CancelCauseFunc
	mu     sync.Mutex
	timer  *time.Timer
}

func (w *watchdog) kick() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timer == nil {
		w.timer = time.AfterFunc(w.idle, func() { w.cancel(errStalled) })
		return
	}
	w.timer.Reset(w.idle)
}

func (w *watchdog) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timer != nil {
		w.timer.Stop()
	}
}

// explain replaces the error of a request the watchdog ended.
func (w *watchdog) explain(ctx context.Context, err error) error {
	if errors.Is(context.Cause(ctx), errStalled) {
		return fmt.Errorf("%w: %w for %v: %w", storage.ErrUnavailable, errStalled, w.idle, err)
	}
	return err
}

// sendingBody restarts the watchdog whenever the transport takes more of
// the request body.
type sendingBody struct {
	io.ReadCloser
	w *watchdog
}

func (b *sendingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.w.kick()
	return n, err
}

// receivingBody runs the watchdog while a Read of the answer is blocked and
// releases the request's context on Close.
type receivingBody struct {
	io.ReadCloser
	w      *watchdog
	ctx    context.Context
	cancel context.CancelCauseFunc
}

func (b *receivingBody) Read(p []byte) (int, error) {
	b.w.kick()
	n, err := b.ReadCloser.Read(p)
	b.w.stop()
	if err != nil && err != io.EOF {
		err = b.w.explain(b.ctx, err)
	}
	return n, err
}

func (b *receivingBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel(nil)
	return err
}
