package storage

import "errors"

// Sentinel errors every Bucket implementation maps its failures onto. Test them
// with errors.Is; the returned errors wrap them with the operation and key.
var (
	// ErrNotExist means the object does not exist.
	ErrNotExist = errors.New("storage: object does not exist")
	// ErrInvalidKey means the key is empty, too long or not valid UTF-8.
	ErrInvalidKey = errors.New("storage: invalid key")
	// ErrInvalidRange means a read range starts beyond the end of the object.
	ErrInvalidRange = errors.New("storage: invalid range")
	// ErrInvalidExpiry means a signed URL expiry is outside 1s..7 days.
	ErrInvalidExpiry = errors.New("storage: invalid signed URL expiry")
	// ErrSizeMismatch means Put read a different number of bytes than
	// PutOptions.Size announced.
	ErrSizeMismatch = errors.New("storage: content size mismatch")
	// ErrPermission means the service rejected the credentials (401/403).
	ErrPermission = errors.New("storage: permission denied")
	// ErrUnavailable means the service is throttling or failing (429/5xx) and
	// the operation may succeed later.
	ErrUnavailable = errors.New("storage: service unavailable")
	// ErrNotSupported means the backend is not configured for the operation.
	ErrNotSupported = errors.New("storage: operation not supported")
)
