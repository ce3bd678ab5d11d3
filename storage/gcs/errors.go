package gcs

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/groundwork-go/groundwork/storage"
)

// wrapErr maps a service error onto the storage sentinels and wraps it with
// the operation and key. Errors the sentinels do not cover (and our own
// errors, such as storage.ErrSizeMismatch from the upload body) keep their
// chain.
func wrapErr(op, key string, err error) error {
	if sentinel := sentinelFor(statusOf(err)); sentinel != nil {
		return fmt.Errorf("gcs: %s %q: %w: %w", op, key, sentinel, err)
	}
	return fmt.Errorf("gcs: %s %q: %w", op, key, err)
}

func sentinelFor(status int) error {
	switch {
	case status == http.StatusNotFound:
		return storage.ErrNotExist
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return storage.ErrPermission
	case status == http.StatusRequestedRangeNotSatisfiable:
		return storage.ErrInvalidRange
	case status == http.StatusPreconditionFailed:
		// The object was replaced between reading its metadata and its
		// content; the generation that was asked for no longer exists.
		return storage.ErrNotExist
	case retryable(status):
		return storage.ErrUnavailable
	}
	return nil
}

// retryable reports whether GCS documents the status as transient.
func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusRequestTimeout || status >= 500
}

// isRetryable reports whether err is a transient service answer.
func isRetryable(err error) bool {
	return err != nil && !errors.Is(err, storage.ErrSizeMismatch) && retryable(statusOf(err))
}
