package resend

import (
	"fmt"

	"github.com/groundwork-go/groundwork/mail/internal/apiclient"
)

// Error is a non-2xx answer from the Resend API, for example
// {"statusCode":422,"name":"validation_error","message":"..."}.
type Error struct {
	// StatusCode is the HTTP status of the response (not the body's copy).
	StatusCode int
	// Name is Resend's machine-readable error name, such as
	// "validation_error" or "rate_limit_exceeded"; empty when the body was
	// not Resend's JSON error shape.
	Name string
	// Message is Resend's human-readable explanation, or the start of the
	// body when it was not JSON.
	Message string
	// RetryAfter is the raw Retry-After response header, if any.
	RetryAfter string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Name == "" {
		return fmt.Sprintf("resend: HTTP %d: %s", e.StatusCode, e.Message)
	}
	return fmt.Sprintf("resend: HTTP %d %s: %s", e.StatusCode, e.Name, e.Message)
}

func newError(resp *apiclient.Response) *Error {
	code, msg := resp.ErrorBody("name")
	return &Error{StatusCode: resp.Status, Name: code, Message: msg, RetryAfter: resp.Header.Get("Retry-After")}
}
