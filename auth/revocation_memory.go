package auth

import (
	"context"
	"sync"
	"time"
)

// MemoryRevocations is an in-process RevocationStore, for a single process
// (the example server's embedded default) and tests. Expired entries are
// swept as new ones arrive, so memory stays proportional to the number of
// revocations of still-valid tokens.
type MemoryRevocations struct {
	now func() time.Time

	mu        sync.RWMutex
	tokens    map[string]time.Time // jti → expiry
	cutoffs   map[string]cutoff    // subject → cut-off
	nextSweep time.Time
}

type cutoff struct {
	at, keepUntil time.Time
}

var _ RevocationStore = (*MemoryRevocations)(nil)

// sweepInterval is how often, at most, expired memory entries are removed.
const sweepInterval = time.Minute

// NewMemoryRevocations returns an empty store. now is the clock; nil means
// time.Now.
func NewMemoryRevocations(now func() time.Time) *MemoryRevocations {
	if now == nil {
		now = time.Now
	}
	return &MemoryRevocations{now: now, tokens: map[string]time.Time{}, cutoffs: map[string]cutoff{}}
}

// RevokeToken implements RevocationStore.
func (m *MemoryRevocations) RevokeToken(ctx context.Context, subject, jti string, expiresAt time.Time) error {
	_, err := m.ConsumeToken(ctx, subject, jti, expiresAt)
	return err
}

// ConsumeToken implements RevocationStore.
func (m *MemoryRevocations) ConsumeToken(_ context.Context, _, jti string, expiresAt time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.sweepLocked(now)
	if exp, ok := m.tokens[jti]; ok && exp.After(now) {
		return false, nil
	}
	if !expiresAt.After(now) {
		return false, nil // already expired: nothing to remember or consume
	}
	m.tokens[jti] = expiresAt
	return true, nil
}

// RevokeSubject implements RevocationStore.
func (m *MemoryRevocations) RevokeSubject(_ context.Context, subject string, at, keepUntil time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.sweepLocked(now)
	if cur, ok := m.cutoffs[subject]; ok && !at.After(cur.at) {
		if keepUntil.After(cur.keepUntil) {
			cur.keepUntil = keepUntil
			m.cutoffs[subject] = cur
		}
		return nil
	}
	m.cutoffs[subject] = cutoff{at: at, keepUntil: keepUntil}
	return nil
}

// IsRevoked implements RevocationStore.
func (m *MemoryRevocations) IsRevoked(_ context.Context, subject, jti string, issuedAt time.Time) (bool, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	now := m.now()
	if exp, ok := m.tokens[jti]; ok && exp.After(now) {
		return true, nil
	}
	if c, ok := m.cutoffs[subject]; ok && c.keepUntil.After(now) && issuedAt.Before(c.at) {
		return true, nil
	}
	return false, nil
}

// Len reports how many entries the store holds (for tests and metrics).
func (m *MemoryRevocations) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.tokens) + len(m.cutoffs)
}

func (m *MemoryRevocations) sweepLocked(now time.Time) {
	if now.Before(m.nextSweep) {
		return
	}
	m.nextSweep = now.Add(sweepInterval)
	for k, exp := range m.tokens {
		if !exp.After(now) {
			delete(m.tokens, k)
		}
	}
	for k, c := range m.cutoffs {
		if !c.keepUntil.After(now) {
			delete(m.cutoffs, k)
		}
	}
}
