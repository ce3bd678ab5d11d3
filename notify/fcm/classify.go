package fcm

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"firebase.google.com/go/v4/errorutils"
	"firebase.google.com/go/v4/messaging"

	"github.com/groundwork-go/groundwork/notify"
)

// classify wraps an error from the FCM client with the notify sentinel that
// says what the application should do about it. ctx's error, when set, is
// wrapped too, because the SDK reports cancelled requests as unknown errors.
func classify(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%w: %w", ctxErr, err)
	}
	classified := fmt.Errorf("%w: %w", sentinelFor(err), err)
	if after, ok := retryAfter(errorutils.HTTPResponse(err)); ok {
		return &notify.RetryAfterError{After: after, Err: classified}
	}
	return classified
}

// retryAfter reads a Retry-After header in seconds or as an HTTP date.
func retryAfter(resp *http.Response) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
	v := resp.Header.Get("Retry-After")
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(time.Until(at), 0), true
	}
	return 0, false
}

// sentinelFor maps FCM's error codes (the FcmError detail, then the
// canonical status) to notify's sentinels.
func sentinelFor(err error) error {
	switch {
	case messaging.IsUnregistered(err):
		return notify.ErrUnregistered
	case messaging.IsSenderIDMismatch(err):
		return notify.ErrInvalidToken
	case messaging.IsInvalidArgument(err) && mentionsToken(err):
		return notify.ErrInvalidToken
	case messaging.IsQuotaExceeded(err), errorutils.IsResourceExhausted(err):
		return notify.ErrQuotaExceeded
	case messaging.IsUnavailable(err), errorutils.IsUnavailable(err):
		return notify.ErrUnavailable
	}
	return notify.ErrSendFailed
}

// mentionsToken reports whether an INVALID_ARGUMENT error is about the
// registration token ("The registration token is not a valid FCM
// registration token") rather than the message.
func mentionsToken(err error) bool {
	return strings.Contains(strings.ToLower(err.Error()), "registration token")
}

// topicSentinel maps the per-token reasons of the Instance ID topic API.
func topicSentinel(reason string) error {
	switch reason {
	case "NOT_FOUND":
		return notify.ErrUnregistered
	case "INVALID_ARGUMENT":
		return notify.ErrInvalidToken
	case "RESOURCE_EXHAUSTED", "TOO_MANY_TOPICS":
		return notify.ErrQuotaExceeded
	case "UNAVAILABLE":
		return notify.ErrUnavailable
	}
	return notify.ErrSendFailed
}
