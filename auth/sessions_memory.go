package auth

import (
	"context"
	"slices"
	"sync"
	"time"
)

// MemorySessionOptions configures MemorySessions. The zero value works.
type MemorySessionOptions struct {
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// MemorySessions is an in-process SessionStore for tests and single-process
// prototypes: it is lost with the process, so every session ends on
// restart. Production services keep sessions next to their users
// (users.SQLSessions). Ended sessions are kept for a day, then dropped.
//
// It keeps the credential epochs itself: every subject starts at epoch 0,
// and ChangeCredentials raises it.
type MemorySessions struct {
	now func() time.Time

	mu       sync.Mutex
	sessions map[string]*Session // by id
	bySub    map[string]map[string]struct{}
	epochs   map[string]int64
	// forget holds every session id with the time to look at it again:
	// a session is dropped once it has been over (ended or expired) for
	// endedRetention, so memory follows the sessions, not the requests.
	forget     []queued[string]
	forgetHead int
}

var _ SessionStore = (*MemorySessions)(nil)

// endedRetention is how long MemorySessions keeps an ended session.
const endedRetention = 24 * time.Hour

// NewMemorySessions returns an empty store.
func NewMemorySessions(opts MemorySessionOptions) *MemorySessions {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &MemorySessions{now: opts.Now, sessions: map[string]*Session{},
		bySub: map[string]map[string]struct{}{}, epochs: map[string]int64{}}
}

// CreateSession implements SessionStore.
func (m *MemorySessions) CreateSession(_ context.Context, s Session, ttl time.Duration) (*Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.epochs[s.Subject] != s.Epoch {
		return nil, ErrStaleCredentials
	}
	now := m.now()
	m.forgetExpiredLocked(now)
	s.CreatedAt, s.RefreshedAt, s.ExpiresAt = now, now, now.Add(ttl)
	s.EndedAt, s.EndReason, s.Generation = time.Time{}, "", 0
	stored := s
	m.sessions[s.ID] = &stored
	if m.bySub[s.Subject] == nil {
		m.bySub[s.Subject] = map[string]struct{}{}
	}
	m.bySub[s.Subject][s.ID] = struct{}{}
	m.forget = append(m.forget, queued[string]{key: s.ID, deadline: s.ExpiresAt.Add(endedRetention)})
	return &s, nil
}

// RotateSession implements SessionStore.
func (m *MemorySessions) RotateSession(_ context.Context, subject, id string, gen uint64, epoch int64, ttl time.Duration) (*Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[id]
	if !ok || s.Subject != subject {
		return nil, ErrSessionNotFound
	}
	now := m.now()
	switch {
	case !s.EndedAt.IsZero() || !now.Before(s.ExpiresAt):
		return nil, ErrSessionEnded
	case s.Generation != gen:
		m.endLocked(s, EndRefreshUsed, now)
		return nil, ErrRefreshReused
	case m.epochs[subject] != epoch:
		return nil, ErrStaleCredentials
	}
	s.Generation++
	s.RefreshedAt, s.ExpiresAt = now, now.Add(ttl)
	out := *s
	return &out, nil
}

// EndSession implements SessionStore.
func (m *MemorySessions) EndSession(_ context.Context, subject, id, reason string) (*Session, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[id]
	if !ok || s.Subject != subject {
		return nil, false, ErrSessionNotFound
	}
	ended := s.EndedAt.IsZero()
	if ended {
		m.endLocked(s, reason, m.now())
	}
	out := *s
	return &out, ended, nil
}

// EndSessions implements SessionStore.
func (m *MemorySessions) EndSessions(_ context.Context, subject, except, reason string) ([]Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.endAllLocked(subject, except, reason), nil
}

// ListSessions implements SessionStore.
func (m *MemorySessions) ListSessions(_ context.Context, subject string) ([]Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	var out []Session
	for id := range m.bySub[subject] {
		if s := m.sessions[id]; s.EndedAt.IsZero() && now.Before(s.ExpiresAt) {
			out = append(out, *s)
		}
	}
	slices.SortFunc(out, func(a, b Session) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out, nil
}

// ChangeCredentials implements SessionStore.
func (m *MemorySessions) ChangeCredentials(_ context.Context, subject string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.epochs[subject]++
	m.endAllLocked(subject, "", EndCredentials)
	return m.epochs[subject], nil
}

// EndedSessions implements SessionStore.
func (m *MemorySessions) EndedSessions(_ context.Context, window time.Duration) ([]Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	since := m.now().Add(-window)
	var out []Session
	for _, s := range m.sessions {
		if !s.EndedAt.IsZero() && s.EndedAt.After(since) {
			out = append(out, *s)
		}
	}
	return out, nil
}

func (m *MemorySessions) endAllLocked(subject, except, reason string) []Session {
	now := m.now()
	var out []Session
	for id := range m.bySub[subject] {
		if s := m.sessions[id]; id != except && s.EndedAt.IsZero() {
			m.endLocked(s, reason, now)
			out = append(out, *s)
		}
	}
	return out
}

// endLocked ends s and forgets sessions whose retention has passed.
func (m *MemorySessions) endLocked(s *Session, reason string, now time.Time) {
	s.EndedAt, s.EndReason = now, reason
	m.forgetExpiredLocked(now)
}

// forgetExpiredLocked looks at the few oldest entries of the forget queue:
// a session over for endedRetention is dropped, a live one is looked at
// again once its current refresh token could be over for that long.
func (m *MemorySessions) forgetExpiredLocked(now time.Time) {
	for n := 0; n < sweepPerWrite && m.forgetHead < len(m.forget); n++ {
		q := m.forget[m.forgetHead]
		if now.Before(q.deadline) {
			break
		}
		m.forget[m.forgetHead] = queued[string]{}
		m.forgetHead++
		s, ok := m.sessions[q.key]
		if !ok {
			continue
		}
		over := s.ExpiresAt
		if !s.EndedAt.IsZero() && s.EndedAt.Before(over) {
			over = s.EndedAt
		}
		if again := over.Add(endedRetention); now.Before(again) {
			m.forget = append(m.forget, queued[string]{key: s.ID, deadline: again})
			continue
		}
		delete(m.sessions, s.ID)
		if subs := m.bySub[s.Subject]; subs != nil {
			delete(subs, s.ID)
			if len(subs) == 0 {
				delete(m.bySub, s.Subject)
			}
		}
	}
	m.forget, m.forgetHead = compactQueue(m.forget, m.forgetHead)
}

// Len reports how many sessions the store holds, live or recently ended.
func (m *MemorySessions) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sessions)
}
