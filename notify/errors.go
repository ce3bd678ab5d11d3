package notify

import "errors"

// Errors reported by senders, either returned from Send or attached to a
// TokenResult.
var (
	// ErrInvalidMessage reports a message or target that fails validation;
	// nothing was sent.
	ErrInvalidMessage = errors.New("notify: invalid message")
	// ErrPayloadTooLarge reports a message whose payload exceeds
	// MaxPayloadBytes; nothing was sent. It is always wrapped together with
	// ErrInvalidMessage.
	ErrPayloadTooLarge = errors.New("notify: payload too large")
	// ErrInvalidToken reports a device token the provider does not accept
	// (malformed, or issued for another sender). Delete it.
	ErrInvalidToken = errors.New("notify: invalid device token")
	// ErrUnregistered reports a device token that is no longer valid (the app
	// was uninstalled or the token expired). Delete it.
	ErrUnregistered = errors.New("notify: device token unregistered")
	// ErrQuotaExceeded reports that the provider's sending quota was exceeded.
	ErrQuotaExceeded = errors.New("notify: quota exceeded")
	// ErrUnavailable reports that the provider was unavailable, after any
	// retries it allowed.
	ErrUnavailable = errors.New("notify: provider unavailable")
	// ErrSendFailed reports any other delivery failure (rejected request,
	// authentication, internal provider error).
	ErrSendFailed = errors.New("notify: send failed")
)

// IsDeadToken reports whether err means the token will never work again and
// should be deleted (ErrInvalidToken or ErrUnregistered).
func IsDeadToken(err error) bool {
	return errors.Is(err, ErrInvalidToken) || errors.Is(err, ErrUnregistered)
}
