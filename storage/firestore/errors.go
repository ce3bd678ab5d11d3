package firestore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"google.golang.org/api/googleapi"
)

// Sentinel errors the service's failures are mapped onto. Test them with
// errors.Is; returned errors wrap them with the operation and document.
var (
	// ErrNotFound means the document does not exist.
	ErrNotFound = errors.New("firestore: document not found")
	// ErrAlreadyExists means Create found an existing document.
	ErrAlreadyExists = errors.New("firestore: document already exists")
	// ErrFailedPrecondition means a write precondition (such as a last update
	// time) did not hold, or a query needs an index.
	ErrFailedPrecondition = errors.New("firestore: failed precondition")
	// ErrAborted means a transaction lost a conflict with another one; it is
	// safe to run the whole transaction again.
	ErrAborted = errors.New("firestore: transaction aborted")
	// ErrPermission means the credentials were rejected (401/403).
	ErrPermission = errors.New("firestore: permission denied")
	// ErrUnavailable means the service is throttling or failing (429/5xx).
	ErrUnavailable = errors.New("firestore: service unavailable")
	// ErrInvalidArgument means the service rejected the request as malformed.
	ErrInvalidArgument = errors.New("firestore: invalid argument")
)

// apiStatus returns the HTTP code and the canonical status name
// ("ALREADY_EXISTS", "ABORTED", ...) of a googleapi error.
func apiStatus(err error) (int, string) {
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) {
		return 0, ""
	}
	var body struct {
		Error struct {
			Status string `json:"status"`
		} `json:"error"`
	}
	json.Unmarshal([]byte(gerr.Body), &body)
	return gerr.Code, body.Error.Status
}

func sentinelFor(err error) error {
	code, status := apiStatus(err)
	switch {
	case status == "ALREADY_EXISTS":
		return ErrAlreadyExists
	case status == "ABORTED":
		return ErrAborted
	case status == "FAILED_PRECONDITION":
		return ErrFailedPrecondition
	case status == "INVALID_ARGUMENT":
		return ErrInvalidArgument
	case code == http.StatusNotFound:
		return ErrNotFound
	case code == http.StatusConflict:
		return ErrAborted
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return ErrPermission
	case code == http.StatusPreconditionFailed:
		return ErrFailedPrecondition
	case retryableCode(code):
		return ErrUnavailable
	}
	return nil
}

// wrapErr wraps err with the operation and what it acted on, and with the
// matching sentinel.
func wrapErr(op, what string, err error) error {
	if s := sentinelFor(err); s != nil {
		return fmt.Errorf("firestore: %s %s: %w: %w", op, what, s, err)
	}
	return fmt.Errorf("firestore: %s %s: %w", op, what, err)
}

// retryableCode reports whether Google documents the status as safe to retry
// for reads: RESOURCE_EXHAUSTED, INTERNAL, UNAVAILABLE, DEADLINE_EXCEEDED.
func retryableCode(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryRead runs an idempotent read, retrying transient failures with
// jittered exponential backoff.
func (c *Client) retryRead(ctx context.Context, fn func() error) error {
	d := c.backoff
	for attempt := 1; ; attempt++ {
		err := fn()
		code, _ := apiStatus(err)
		if err == nil || !retryableCode(code) || attempt >= c.attempts {
			return err
		}
		t := time.NewTimer(d/2 + rand.N(d/2+1))
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		d *= 2
	}
}
