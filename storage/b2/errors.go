package b2

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/Backblaze/blazer/b2"
	"github.com/Backblaze/blazer/base"

	"github.com/groundwork-go/groundwork/storage"
)

// op is one Bucket operation. The transport reports every answer of the
// operation's requests to it; when the service keeps failing (Options
// MaxAttempts answers in a row, or for longer than Options.MaxRetryTime) it
// ends the operation's context, which stops blazer's otherwise endless
// retries as well as this package's own.
type op struct {
	cancel   context.CancelCauseFunc
	attempts int
	retryFor time.Duration
	last     atomic.Int64 // the last HTTP status the service answered

	mu       sync.Mutex
	failures int
	timer    *time.Timer
	gaveUp   error
}

type opKey struct{}

// begin starts an operation; its end must be called when it is over.
func (b *Bucket) begin(ctx context.Context) (context.Context, *op) {
	ctx, cancel := context.WithCancelCause(ctx)
	o := &op{cancel: cancel, attempts: b.attempts, retryFor: b.retryFor}
	return context.WithValue(ctx, opKey{}, o), o
}

// end releases the operation's context.
func (o *op) end() {
	o.mu.Lock()
	if o.timer != nil {
		o.timer.Stop()
	}
	o.mu.Unlock()
	o.cancel(context.Canceled)
}

// observe records an answer (or a failed round trip) of a request made for
// the operation in ctx, if any.
func observe(ctx context.Context, resp *http.Response, err error) {
	o, ok := ctx.Value(opKey{}).(*op)
	if !ok {
		return
	}
	if resp != nil {
		o.last.Store(int64(resp.StatusCode))
	}
	transient := err != nil && ctx.Err() == nil || resp != nil && isTransient(resp.StatusCode)
	o.mu.Lock()
	defer o.mu.Unlock()
	if !transient {
		o.failures = 0
		if o.timer != nil {
			o.timer.Stop()
			o.timer = nil
		}
		return
	}
	o.failures++
	if o.failures == 1 && o.retryFor > 0 {
		o.timer = time.AfterFunc(o.retryFor, func() {
			o.giveUp(fmt.Errorf("%w: still failing after %v of retries", storage.ErrUnavailable, o.retryFor))
		})
	}
	if o.failures >= o.attempts && o.gaveUp == nil {
		o.gaveUp = fmt.Errorf("%w: gave up after %d failed attempts", storage.ErrUnavailable, o.failures)
		o.cancel(o.gaveUp)
	}
}

func (o *op) giveUp(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.gaveUp == nil {
		o.gaveUp = err
		o.cancel(err)
	}
}

// givenUp returns why the operation was ended, or nil.
func (o *op) givenUp() error {
	if o == nil {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.gaveUp
}

// isTransient reports whether B2 documents a status as worth retrying.
func isTransient(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// apiError is a B2 error answer to a request this package sends itself.
type apiError struct {
	Status     int    `json:"status"`
	Code       string `json:"code"`
	Message    string `json:"message"`
	retryAfter time.Duration
}

func (e *apiError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("status %d", e.Status)
	}
	return fmt.Sprintf("status %d: %s: %s", e.Status, e.Code, e.Message)
}

// readAPIError builds an apiError from a failed answer (HEAD answers have no
// body, so only the status is known).
func readAPIError(resp *http.Response) error {
	e := &apiError{}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	json.Unmarshal(body, e)
	e.Status = resp.StatusCode
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		e.retryAfter = time.Duration(s) * time.Second
	}
	return e
}

// wrapErr maps err onto the storage sentinels and wraps it with the operation.
func wrapErr(op, key string, o *op, err error) error {
	if cause := o.givenUp(); cause != nil {
		return fmt.Errorf("b2: %s %q: %w: %w", op, key, cause, err)
	}
	if sentinel := sentinelFor(o, err); sentinel != nil {
		return fmt.Errorf("b2: %s %q: %w: %w", op, key, sentinel, err)
	}
	return fmt.Errorf("b2: %s %q: %w", op, key, err)
}

func sentinelFor(o *op, err error) error {
	if errors.Is(err, storage.ErrSizeMismatch) || errors.Is(err, storage.ErrNotExist) {
		return nil
	}
	if b2.IsNotExist(err) {
		return storage.ErrNotExist
	}
	code := codeOf(err)
	if code == 0 && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) && o != nil {
		// The caller's context ended while a request was being retried;
		// report the last answer that was retried.
		if isTransient(int(o.last.Load())) {
			return storage.ErrUnavailable
		}
	}
	switch {
	case code == http.StatusNotFound:
		return storage.ErrNotExist
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return storage.ErrPermission
	case code == http.StatusRequestedRangeNotSatisfiable:
		return storage.ErrInvalidRange
	case code != 0 && isTransient(code):
		return storage.ErrUnavailable
	}
	return nil
}

// codeOf returns the HTTP status of a B2 API error anywhere in err's chain.
func codeOf(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if code, _ := base.Code(e); code != 0 {
			return code
		}
	}
	return 0
}
