package users

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"google.golang.org/api/googleapi"
)

// Errors returned by Client, wrapped with the operation and the API's message.
var (
	// ErrUserNotFound reports that no user matches the uid, email or phone number.
	ErrUserNotFound = errors.New("firebase users: user not found")
	// ErrEmailExists reports that another user already has the email address.
	ErrEmailExists = errors.New("firebase users: email already exists")
	// ErrPhoneNumberExists reports that another user already has the phone number.
	ErrPhoneNumberExists = errors.New("firebase users: phone number already exists")
	// ErrUIDExists reports that a user with the requested uid already exists.
	ErrUIDExists = errors.New("firebase users: uid already exists")
	// ErrInvalidInput reports an argument the API or this package rejected
	// (malformed email or phone number, weak password, reserved claim, ...).
	ErrInvalidInput = errors.New("firebase users: invalid input")
	// ErrPermissionDenied reports that the credentials may not manage users.
	ErrPermissionDenied = errors.New("firebase users: permission denied")
	// ErrUnavailable reports that the service could not be reached, timed
	// out, throttled the request (429) or failed with a 5xx status: a
	// transient failure, retried for idempotent calls.
	ErrUnavailable = errors.New("firebase users: service unavailable")
	// ErrAPI reports any other error from the Identity Toolkit API.
	ErrAPI = errors.New("firebase users: API error")
)

// apiCodes maps the Identity Toolkit's error message codes to sentinels.
var apiCodes = map[string]error{
	"USER_NOT_FOUND":          ErrUserNotFound,
	"EMAIL_NOT_FOUND":         ErrUserNotFound,
	"EMAIL_EXISTS":            ErrEmailExists,
	"DUPLICATE_EMAIL":         ErrEmailExists,
	"PHONE_NUMBER_EXISTS":     ErrPhoneNumberExists,
	"DUPLICATE_LOCAL_ID":      ErrUIDExists,
	"UID_ALREADY_EXISTS":      ErrUIDExists,
	"INVALID_EMAIL":           ErrInvalidInput,
	"INVALID_PHONE_NUMBER":    ErrInvalidInput,
	"WEAK_PASSWORD":           ErrInvalidInput,
	"INVALID_CLAIMS":          ErrInvalidInput,
	"CLAIMS_TOO_LARGE":        ErrInvalidInput,
	"INVALID_CONTINUE_URI":    ErrInvalidInput,
	"MISSING_CONTINUE_URI":    ErrInvalidInput,
	"INVALID_PAGE_SELECTION":  ErrInvalidInput,
	"INSUFFICIENT_PERMISSION": ErrPermissionDenied,
	"PERMISSION_DENIED":       ErrPermissionDenied,
}

// mapError wraps err from the API client with the matching sentinel and op.
func mapError(ctx context.Context, op string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("firebase users: %s: %w: %w", op, ctxErr, err)
	}
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) {
		return fmt.Errorf("firebase users: %s: %w: %w", op, ErrUnavailable, err)
	}
	if sentinel, ok := apiCodes[apiCode(err)]; ok {
		return fmt.Errorf("firebase users: %s: %w: %s", op, sentinel, gerr.Message)
	}
	switch {
	case gerr.Code == http.StatusForbidden:
		return fmt.Errorf("firebase users: %s: %w: %w", op, ErrPermissionDenied, err)
	case gerr.Code == http.StatusTooManyRequests || gerr.Code >= 500:
		return fmt.Errorf("firebase users: %s: %w: %w", op, ErrUnavailable, err)
	}
	return fmt.Errorf("firebase users: %s: %w: %w", op, ErrAPI, err)
}

// apiCode returns the Identity Toolkit's error code of err ("USER_NOT_FOUND"),
// or "" when err is not an API error. The API's message is the code,
// sometimes followed by " : explanation".
func apiCode(err error) string {
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) {
		return ""
	}
	code, _, _ := strings.Cut(gerr.Message, " ")
	return code
}
