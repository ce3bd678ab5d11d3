package storage

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxKeyLength is the longest key, in bytes, that every backend accepts.
const MaxKeyLength = 1024

// MaxSignedURLExpiry is the longest validity of a signed URL.
const MaxSignedURLExpiry = 7 * 24 * time.Hour

// ValidateKey reports whether key is usable on every backend: non-empty, at
// most MaxKeyLength bytes, valid UTF-8 without control characters, and not
// starting with "/". The error wraps ErrInvalidKey.
func ValidateKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("%w: empty", ErrInvalidKey)
	case len(key) > MaxKeyLength:
		return fmt.Errorf("%w: longer than %d bytes", ErrInvalidKey, MaxKeyLength)
	case !utf8.ValidString(key):
		return fmt.Errorf("%w: not valid UTF-8", ErrInvalidKey)
	case strings.HasPrefix(key, "/"):
		return fmt.Errorf("%w: starts with /", ErrInvalidKey)
	case strings.ContainsFunc(key, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return fmt.Errorf("%w: contains a control character", ErrInvalidKey)
	}
	return nil
}

// ValidateExpiry reports whether d is a usable signed URL validity: at least one
// second and at most MaxSignedURLExpiry. The error wraps ErrInvalidExpiry.
func ValidateExpiry(d time.Duration) error {
	if d < time.Second || d > MaxSignedURLExpiry {
		return fmt.Errorf("%w: %v not in [1s, %v]", ErrInvalidExpiry, d, MaxSignedURLExpiry)
	}
	return nil
}
