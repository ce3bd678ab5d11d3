package firebase

import "errors"

// Errors returned by Verifier. Every rejection wraps ErrInvalidToken, so callers
// that only need "reject or accept" can test for that one sentinel; the more
// specific sentinels say why.
var (
	// ErrInvalidToken reports a token that must not be accepted.
	ErrInvalidToken = errors.New("firebase: invalid ID token")
	// ErrTokenExpired reports a token whose exp lies in the past (beyond the clock skew).
	ErrTokenExpired = errors.New("firebase: ID token expired")
	// ErrUnknownKey reports a token whose kid is not among Google's current public keys.
	ErrUnknownKey = errors.New("firebase: ID token signed with an unknown key")
	// ErrTokenRevoked reports a token issued before the user's refresh tokens were revoked.
	ErrTokenRevoked = errors.New("firebase: ID token revoked")
	// ErrUserDisabled reports a token of a disabled user, found by the
	// revocation check (the Admin SDK's USER_DISABLED).
	ErrUserDisabled = errors.New("firebase: user disabled")
	// ErrKeyFetch reports a failure to fetch or parse Google's public keys. It
	// does not wrap ErrInvalidToken: the token may be fine and the caller may
	// want to answer 503 rather than 401.
	ErrKeyFetch = errors.New("firebase: fetching public keys failed")
)
