package auth

import (
	"context"
	"time"
)

// MemoryRevocationOptions configures MemoryRevocations. The zero value
// works.
type MemoryRevocationOptions struct {
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// MemoryRevocations is an in-process RevocationStore, for a single process
// (an embedded deployment) and tests. It holds one entry per
// ended session and one per subject whose credentials changed, each for its
// keep duration; memory follows the live entries, not the request rate.
//
// Its state is lost with the process: an application restores it at start
// with Authenticator.RestoreRevocations from its durable SessionStore.
type MemoryRevocations struct {
	sessions *expiringMap[sessionKey, struct{}]
	epochs   *expiringMap[string, int64]
}

var _ RevocationStore = (*MemoryRevocations)(nil)

// NewMemoryRevocations returns an empty store.
func NewMemoryRevocations(opts MemoryRevocationOptions) *MemoryRevocations {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &MemoryRevocations{
		sessions: newExpiringMap[sessionKey, struct{}](opts.Now),
		epochs:   newExpiringMap[string, int64](opts.Now),
	}
}

// RevokeSession implements RevocationStore.
func (m *MemoryRevocations) RevokeSession(_ context.Context, subject, sessionID string, keep time.Duration) error {
	m.sessions.update(sessionKey{subject, sessionID}, keep, func(struct{}, bool) struct{} { return struct{}{} })
	return nil
}

// RaiseEpoch implements RevocationStore.
func (m *MemoryRevocations) RaiseEpoch(_ context.Context, subject string, epoch int64, keep time.Duration) error {
	m.epochs.update(subject, keep, func(old int64, found bool) int64 {
		if found && old > epoch {
			return old
		}
		return epoch
	})
	return nil
}

// IsRevoked implements RevocationStore.
func (m *MemoryRevocations) IsRevoked(_ context.Context, subject, sessionID string, epoch int64) (bool, error) {
	if min, ok := m.epochs.get(subject); ok && epoch < min {
		return true, nil
	}
	_, ended := m.sessions.get(sessionKey{subject, sessionID})
	return ended, nil
}

// Len reports how many entries the store holds (for tests and metrics).
func (m *MemoryRevocations) Len() int { return m.sessions.len() + m.epochs.len() }

// sessionKey names a session within the in-process maps.
type sessionKey struct{ subject, id string }
