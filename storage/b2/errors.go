package b2

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"

	"github.com/Backblaze/blazer/b2"
	"github.com/Backblaze/blazer/base"

	"github.com/groundwork-go/groundwork/storage"
)

// status records the last HTTP status the service answered within one
// operation, so that an operation blazer kept retrying until its context
// ended can still be reported as storage.ErrUnavailable.
type status struct{ last atomic.Int64 }

type statusKey struct{}

func trackStatus(ctx context.Context) (context.Context, *status) {
	st := &status{}
	return context.WithValue(ctx, statusKey{}, st), st
}

// statusTransport records response statuses into the operation's status.
type statusTransport struct{ next http.RoundTripper }

func (t *statusTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if st, ok := r.Context().Value(statusKey{}).(*status); ok && resp != nil {
		st.last.Store(int64(resp.StatusCode))
	}
	return resp, err
}

// wrapErr maps err onto the storage sentinels and wraps it with the operation.
func wrapErr(op, key string, st *status, err error) error {
	if sentinel := sentinelFor(st, err); sentinel != nil {
		return fmt.Errorf("b2: %s %q: %w: %w", op, key, sentinel, err)
	}
	return fmt.Errorf("b2: %s %q: %w", op, key, err)
}

func sentinelFor(st *status, err error) error {
	if errors.Is(err, storage.ErrSizeMismatch) {
		return nil
	}
	if b2.IsNotExist(err) {
		return storage.ErrNotExist
	}
	code := codeOf(err)
	if code == 0 && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) && st != nil {
		// Blazer retries 429 and 5xx until the context ends; report the
		// last answer it was retrying.
		if last := int(st.last.Load()); last == http.StatusTooManyRequests || last >= 500 {
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
	case code == http.StatusTooManyRequests || code >= 500:
		return storage.ErrUnavailable
	}
	return nil
}

// codeOf returns the HTTP status of a B2 API error anywhere in err's chain.
func codeOf(err error) int {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if code, _ := base.Code(e); code != 0 {
			return code
		}
	}
	return 0
}
