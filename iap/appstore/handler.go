package appstore

import (
	"context"
	"errors"
	"net/http"

	"github.com/groundwork-go/groundwork/httpx"
)

// DefaultMaxNotificationBytes bounds a notification request body by default.
// Real notifications (three nested JWS with their chains) are under 64 KiB.
const DefaultMaxNotificationBytes = 256 << 10

// NotificationFunc handles a verified notification. Returning an error makes
// the handler answer with a non-200 status (through httpx.WriteError: an
// *httpx.Error keeps its status, anything else is a logged 500), so the App
// Store sends the notification again later. Retries reuse NotificationUUID.
type NotificationFunc func(ctx context.Context, n *Notification) error

// NotificationVerifier verifies a notification's signedPayload. *Verifier
// implements it; tests of an application's callback may supply their own.
type NotificationVerifier interface {
	VerifyNotification(ctx context.Context, signedPayload string) (*Notification, error)
}

var _ NotificationVerifier = (*Verifier)(nil)

// HandlerOptions configures a NotificationHandler. The zero value works.
type HandlerOptions struct {
	// MaxBodyBytes bounds the request body; larger bodies get 413. Default
	// DefaultMaxNotificationBytes.
	MaxBodyBytes int64
}

// NotificationHandler receives App Store Server Notifications V2: a POST
// with a JSON body {"signedPayload": "..."}. It verifies the payload and its
// nested signed transaction and renewal information, then calls the
// callback. A body that is not a verifiable notification gets 400 with the
// reason logged; success gets 200 with an empty body.
type NotificationHandler struct {
	verifier NotificationVerifier
	fn       NotificationFunc
	maxBytes int64
}

var _ http.Handler = (*NotificationHandler)(nil)

// NewNotificationHandler returns a handler that verifies notifications with
// v (usually a *Verifier) and passes them to fn, which must not be nil.
func NewNotificationHandler(v NotificationVerifier, fn NotificationFunc, opts HandlerOptions) *NotificationHandler {
	return &NotificationHandler{verifier: v, fn: fn, maxBytes: positiveOr(opts.MaxBodyBytes, DefaultMaxNotificationBytes)}
}

// notificationBody is the JSON body Apple posts.
type notificationBody struct {
	SignedPayload string `json:"signedPayload"`
}

// ServeHTTP implements http.Handler.
func (h *NotificationHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		httpx.WriteError(w, r, httpx.NewError(http.StatusMethodNotAllowed, httpx.CodeMethodNotAllowed, "Method not allowed"))
		return
	}
	if r.ContentLength > h.maxBytes {
		r.Body.Close()
		httpx.WriteError(w, r, httpx.NewError(http.StatusRequestEntityTooLarge, httpx.CodePayloadTooLarge, "Notification body too large"))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.maxBytes)
	var body notificationBody
	if err := httpx.DecodeJSON(w, r, &body); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if body.SignedPayload == "" {
		httpx.WriteError(w, r, httpx.BadRequest("signedPayload is required"))
		return
	}
	n, err := h.verifier.VerifyNotification(r.Context(), body.SignedPayload)
	if err != nil {
		httpx.WriteError(w, r, invalidNotification(err))
		return
	}
	if err := h.fn(r.Context(), n); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// invalidNotification turns a verification error into a 400 whose cause is
// logged; an OCSP outage is our problem, not the sender's, so it is a 503
// and the App Store retries.
func invalidNotification(err error) *httpx.Error {
	if errors.Is(err, ErrRevocationCheckFailed) {
		return httpx.ServiceUnavailable("Cannot check certificate revocation").WithCause(err)
	}
	return httpx.BadRequest("Invalid signed payload").WithCause(err)
}
