package httpx

import (
	"errors"
	"fmt"
	"net/http"
)

// Stable machine-readable error codes sent in the envelope's "error_code" field.
// Clients may switch on them; they never change meaning.
const (
	CodeBadRequest         = "BAD_REQUEST"
	CodeUnauthorized       = "UNAUTHORIZED"
	CodeForbidden          = "FORBIDDEN"
	CodeNotFound           = "NOT_FOUND"
	CodeMethodNotAllowed   = "METHOD_NOT_ALLOWED"
	CodeConflict           = "CONFLICT"
	CodePayloadTooLarge    = "PAYLOAD_TOO_LARGE"
	CodeUnsupportedMedia   = "UNSUPPORTED_MEDIA_TYPE"
	CodeValidation         = "VALIDATION_ERROR"
	CodeRateLimited        = "RATE_LIMITED"
	CodeInternal           = "INTERNAL_ERROR"
	CodeServiceUnavailable = "SERVICE_UNAVAILABLE"
)

// Error is the one error type that httpx turns into an HTTP response. Status and
// Code select the response; Detail is the only text a client ever sees; Cause is
// logged by WriteError and never sent.
type Error struct {
	// Status is the HTTP status code, for example http.StatusNotFound.
	Status int
	// Code is a stable identifier such as CodeNotFound.
	Code string
	// Detail is the human-readable message sent to the client.
	Detail string
	// Cause is the underlying error, logged but never sent to the client.
	Cause error
}

// Error implements the error interface. It includes the cause for logs.
func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%d %s: %s: %v", e.Status, e.Code, e.Detail, e.Cause)
	}
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Detail)
}

// Unwrap returns the cause so errors.Is and errors.As see through an Error.
func (e *Error) Unwrap() error { return e.Cause }

// WithCause returns a copy of e that records cause for the log.
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.Cause = cause
	return &c
}

// NewError returns an Error with the given status, code and client-facing detail.
func NewError(status int, code, detail string) *Error {
	return &Error{Status: status, Code: code, Detail: detail}
}

// BadRequest returns a 400 error with code BAD_REQUEST.
func BadRequest(detail string) *Error {
	return NewError(http.StatusBadRequest, CodeBadRequest, detail)
}

// Unauthorized returns a 401 error with code UNAUTHORIZED.
func Unauthorized(detail string) *Error {
	return NewError(http.StatusUnauthorized, CodeUnauthorized, detail)
}

// Forbidden returns a 403 error with code FORBIDDEN.
func Forbidden(detail string) *Error {
	return NewError(http.StatusForbidden, CodeForbidden, detail)
}

// NotFound returns a 404 error with code NOT_FOUND.
func NotFound(detail string) *Error {
	return NewError(http.StatusNotFound, CodeNotFound, detail)
}

// ServiceUnavailable returns a 503 error with code SERVICE_UNAVAILABLE.
func ServiceUnavailable(detail string) *Error {
	return NewError(http.StatusServiceUnavailable, CodeServiceUnavailable, detail)
}

// Internal returns a 500 error whose detail is generic and whose cause is logged.
func Internal(cause error) *Error {
	return &Error{Status: http.StatusInternalServerError, Code: CodeInternal,
		Detail: "Internal server error", Cause: cause}
}

// AsError converts any error into an *Error. An *Error anywhere in err's chain
// is returned as is; any other error becomes a 500 whose text stays in Cause.
func AsError(err error) *Error {
	var he *Error
	if errors.As(err, &he) {
		return he
	}
	return Internal(err)
}

// ErrorWriter writes an error response. Middleware and handlers that answer
// errors on their own (auth, ratelimit) take one as an option, so a service
// can keep its own error format. When it is called, the headers the response
// must carry (WWW-Authenticate, Retry-After, X-RateLimit-*) are already set
// on w; err carries the status, the machine code and the client-facing
// detail. A nil ErrorWriter means WriteErrorResponse, the documented
// envelope.
type ErrorWriter func(w http.ResponseWriter, r *http.Request, err *Error)

// WriteErrorResponse is the default ErrorWriter: WriteError for an *Error.
func WriteErrorResponse(w http.ResponseWriter, r *http.Request, err *Error) { WriteError(w, r, err) }

// Write calls ew, or WriteErrorResponse when ew is nil.
func (ew ErrorWriter) Write(w http.ResponseWriter, r *http.Request, err *Error) {
	if ew == nil {
		WriteError(w, r, err)
		return
	}
	ew(w, r, err)
}
