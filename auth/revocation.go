package auth

import (
	"context"
	"time"
)

// RevocationStore answers, on every authenticated request, whether an
// access token's session has ended or its credential epoch is stale. It
// mirrors the SessionStore for speed: MemoryRevocations for one process,
// RedisRevocations for many, both answering a warm check from process
// memory. Refresh never trusts it alone: the SessionStore decides.
//
// Entries are kept for a duration, not until a wall-clock time, so no
// comparison mixes the clocks of different machines. Implementations must
// be safe for concurrent use, must make a write visible to the process
// that made it immediately, and must forget entries after keep.
type RevocationStore interface {
	// RevokeSession rejects every token of the session sessionID of
	// subject, for keep (the longest an access token of it may still live).
	RevokeSession(ctx context.Context, subject, sessionID string, keep time.Duration) error
	// RaiseEpoch rejects every token of subject whose credential epoch is
	// below epoch, for keep. A lower epoch never replaces a higher one.
	RaiseEpoch(ctx context.Context, subject string, epoch int64, keep time.Duration) error
	// IsRevoked reports whether a token of subject from session sessionID,
	// carrying credential epoch epoch, is revoked.
	IsRevoked(ctx context.Context, subject, sessionID string, epoch int64) (bool, error)
}
