package brevo

import (
	"fmt"

	"github.com/groundwork-go/groundwork/mail/internal/apiclient"
)

// Error is a non-2xx answer from the Brevo API, for example
// {"code":"invalid_parameter","message":"email is not valid in to"}.
type Error struct {
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// Code is Brevo's machine-readable error code, such as
	// "invalid_parameter" or "unauthorized"; empty when the body was not
	// Brevo's JSON error shape.
	Code string
	// Message is Brevo's explanation, or the start of the body when it was
	// not JSON.
	Message string
	// RetryAfter is the raw Retry-After response header, if any.
	RetryAfter string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("brevo: HTTP %d: %s", e.StatusCode, e.Message)
	}
	return fmt.Sprintf("brevo: HTTP %d %s: %s", e.StatusCode, e.Code, e.Message)
}

func newError(resp *apiclient.Response) *Error {
	code, msg := resp.ErrorBody("code")
	return &Error{StatusCode: resp.Status, Code: code, Message: msg, RetryAfter: resp.Header.Get("Retry-After")}
}
