package auth

import (
	"context"
	"time"
)

// RevocationStore records revoked tokens and per-subject cut-offs. It is
// the API document's token "blacklist".
//
// Implementations must be safe for concurrent use, must make a revocation
// visible to the process that made it immediately, and must forget entries
// once the tokens they concern have expired.
type RevocationStore interface {
	// RevokeToken marks the token jti of subject revoked until expiresAt.
	RevokeToken(ctx context.Context, subject, jti string, expiresAt time.Time) error
	// ConsumeToken revokes the token like RevokeToken, atomically, and
	// reports whether this call was the one that revoked it (false when it
	// was already revoked). Refresh-token rotation uses it so that two
	// concurrent refreshes with one token cannot both succeed.
	ConsumeToken(ctx context.Context, subject, jti string, expiresAt time.Time) (bool, error)
	// RevokeSubject rejects every token of subject issued before cutoff.
	// The entry may be forgotten after keepUntil, when every such token has
	// expired anyway. A later cut-off replaces an earlier one; an earlier
	// one never replaces a later one.
	RevokeSubject(ctx context.Context, subject string, cutoff, keepUntil time.Time) error
	// IsRevoked reports whether the token jti of subject, issued at
	// issuedAt, is revoked, either by itself or by a subject cut-off after
	// issuedAt.
	IsRevoked(ctx context.Context, subject, jti string, issuedAt time.Time) (bool, error)
}
