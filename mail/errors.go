package mail

import "errors"

// Sentinel errors. Test them with errors.Is; returned errors wrap them with
// the operation and details.
var (
	// ErrInvalidMessage means a message failed validation; the error is a
	// *ValidationError listing every problem. Nothing was sent.
	ErrInvalidMessage = errors.New("mail: invalid message")
	// ErrUnknownTemplate means no template has the requested name.
	ErrUnknownTemplate = errors.New("mail: unknown template")
	// ErrTemplate means a template failed to render, for example because a
	// data field it uses is missing or empty.
	ErrTemplate = errors.New("mail: template failed")
	// ErrRejected means the provider refused the message or the credentials
	// (4xx other than 429). Retrying the same request will not help.
	ErrRejected = errors.New("mail: rejected by provider")
	// ErrUnavailable means the provider is throttling or failing (429, 5xx);
	// the message may be accepted later.
	ErrUnavailable = errors.New("mail: provider unavailable")
	// ErrQueueFull means a Queue had no room; the message was not queued.
	ErrQueueFull = errors.New("mail: queue full")
	// ErrQueueClosed means a Queue is shutting down; the message was not queued.
	ErrQueueClosed = errors.New("mail: queue closed")
	// ErrConfig means a provider configuration is incomplete or names an
	// unknown provider.
	ErrConfig = errors.New("mail: invalid configuration")
)
