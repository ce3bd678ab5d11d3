package appstore

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// Errors an *APIError matches with errors.Is, by HTTP status.
var (
	// ErrBadRequest matches API errors with status 400.
	ErrBadRequest = errors.New("appstore: bad request")
	// ErrUnauthorized matches API errors with status 401: the bearer token was
	// rejected (wrong key, key id, issuer id or bundle id).
	ErrUnauthorized = errors.New("appstore: unauthorized")
	// ErrForbidden matches API errors with status 403, such as a subscription
	// that cannot be extended.
	ErrForbidden = errors.New("appstore: forbidden")
	// ErrNotFound matches API errors with status 404.
	ErrNotFound = errors.New("appstore: not found")
	// ErrRateLimited matches API errors with status 429; see
	// APIError.RetryAfter.
	ErrRateLimited = errors.New("appstore: rate limited")
	// ErrServer matches API errors with a 5xx status.
	ErrServer = errors.New("appstore: server error")
)

// Error codes of the App Store Server API that callers commonly handle.
const (
	// ErrorCodeGeneralBadRequest is a malformed request.
	ErrorCodeGeneralBadRequest int64 = 4000000
	// ErrorCodeInvalidAppIdentifier is an invalid app identifier.
	ErrorCodeInvalidAppIdentifier int64 = 4000002
	// ErrorCodeInvalidRequestRevision is an invalid revision token.
	ErrorCodeInvalidRequestRevision int64 = 4000005
	// ErrorCodeInvalidTransactionID is an invalid transaction id.
	ErrorCodeInvalidTransactionID int64 = 4000006
	// ErrorCodeInvalidOriginalTransactionID is an invalid original transaction id.
	ErrorCodeInvalidOriginalTransactionID int64 = 4000008
	// ErrorCodeInvalidExtendByDays is an invalid extendByDays value.
	ErrorCodeInvalidExtendByDays int64 = 4000009
	// ErrorCodeInvalidExtendReasonCode is an invalid extendReasonCode.
	ErrorCodeInvalidExtendReasonCode int64 = 4000010
	// ErrorCodeInvalidRequestIdentifier is an invalid requestIdentifier.
	ErrorCodeInvalidRequestIdentifier int64 = 4000011
	// ErrorCodeInvalidAppAccountToken means an app account token is not a UUID.
	ErrorCodeInvalidAppAccountToken int64 = 4000183
	// ErrorCodeSubscriptionExtensionIneligible means the subscription cannot be extended.
	ErrorCodeSubscriptionExtensionIneligible int64 = 4030004
	// ErrorCodeSubscriptionMaxExtension means the subscription reached its extension limit.
	ErrorCodeSubscriptionMaxExtension int64 = 4030005
	// ErrorCodeFamilySharedSubscriptionIneligible means a family-shared subscription cannot be extended directly.
	ErrorCodeFamilySharedSubscriptionIneligible int64 = 4030007
	// ErrorCodeAccountNotFound means the App Store account was not found.
	ErrorCodeAccountNotFound int64 = 4040001
	// ErrorCodeAccountNotFoundRetryable means the account was not found but a retry may succeed.
	ErrorCodeAccountNotFoundRetryable int64 = 4040002
	// ErrorCodeAppNotFound means the app was not found.
	ErrorCodeAppNotFound int64 = 4040003
	// ErrorCodeAppNotFoundRetryable means the app was not found but a retry may succeed.
	ErrorCodeAppNotFoundRetryable int64 = 4040004
	// ErrorCodeOriginalTransactionIDNotFound means the original transaction id was not found.
	ErrorCodeOriginalTransactionIDNotFound int64 = 4040005
	// ErrorCodeOriginalTransactionIDNotFoundRetryable means the original transaction id was not found but a retry may succeed.
	ErrorCodeOriginalTransactionIDNotFoundRetryable int64 = 4040006
	// ErrorCodeServerNotificationURLNotFound means no notification URL is configured.
	ErrorCodeServerNotificationURLNotFound int64 = 4040007
	// ErrorCodeTestNotificationNotFound means the test notification token is unknown.
	ErrorCodeTestNotificationNotFound int64 = 4040008
	// ErrorCodeTransactionIDNotFound means the transaction id was not found.
	ErrorCodeTransactionIDNotFound int64 = 4040010
	// ErrorCodeRateLimitExceeded means the per-hour request limit was exceeded.
	ErrorCodeRateLimitExceeded int64 = 4290000
	// ErrorCodeGeneralInternal is an unknown server error.
	ErrorCodeGeneralInternal int64 = 5000000
	// ErrorCodeGeneralInternalRetryable is an unknown server error that a retry may resolve.
	ErrorCodeGeneralInternalRetryable int64 = 5000001
)

// retryableCodes are the codes Apple documents as "try again".
var retryableCodes = []int64{ErrorCodeAccountNotFoundRetryable, ErrorCodeAppNotFoundRetryable,
	ErrorCodeOriginalTransactionIDNotFoundRetryable, ErrorCodeGeneralInternalRetryable}

// APIError is an error response of the App Store Server API.
type APIError struct {
	// Operation names the client method, such as "GetTransactionInfo".
	Operation string
	// StatusCode is the HTTP status.
	StatusCode int
	// Code is Apple's errorCode, one of the ErrorCode constants or another
	// documented value; zero when the body had none.
	Code int64 `json:"errorCode"`
	// Message is Apple's errorMessage.
	Message string `json:"errorMessage"`
	// RetryAfter is how long to wait before retrying, from the Retry-After
	// header of a 429 answer; zero when absent.
	RetryAfter time.Duration
}

// Error describes the failure.
func (e *APIError) Error() string {
	msg := fmt.Sprintf("appstore: %s: HTTP %d", e.Operation, e.StatusCode)
	if e.Code != 0 {
		msg += fmt.Sprintf(" error %d", e.Code)
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return msg
}

// Is matches the status sentinels (ErrNotFound and the others).
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrServer:
		return e.StatusCode >= 500
	}
	return false
}

// Retryable reports whether sending the same request again may succeed.
func (e *APIError) Retryable() bool {
	switch e.StatusCode {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return slices.Contains(retryableCodes, e.Code)
}
