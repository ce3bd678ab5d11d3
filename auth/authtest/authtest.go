// Package authtest is the conformance suite for auth.RevocationStore and
// auth.SessionStore implementations, in the manner of net/http/httptest or
// testing/fstest.
//
//	func TestMemoryRevocations(t *testing.T) {
//		authtest.RunRevocationStoreTests(t, func(t *testing.T) auth.RevocationStore {
//			return auth.NewMemoryRevocations(auth.MemoryRevocationOptions{})
//		})
//	}
package authtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/auth"
)

// RevocationHarness is what RunRevocationStoreTests needs of a backend.
type RevocationHarness struct {
	// Store is an empty RevocationStore (or one whose keys cannot collide
	// with other tests').
	Store auth.RevocationStore
	// Elapse, when set, moves the backend's clock forward by d (a fake
	// clock, an in-process Redis); the suite also waits for real time to
	// pass, bounded, for stores that keep time by the wall clock.
	Elapse func(d time.Duration)
}

// RunRevocationStoreTests runs the RevocationStore suite on a fresh harness
// per test.
func RunRevocationStoreTests(t *testing.T, newHarness func(t *testing.T) RevocationHarness) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h RevocationHarness)
	}{
		{"UnknownSessionNotRevoked", testUnknownSessionNotRevoked},
		{"RevokedSessionSeenImmediately", testRevokedSessionSeenImmediately},
		{"RevocationIsPerSession", testRevocationIsPerSession},
		{"EpochRejectsLower", testEpochRejectsLower},
		{"EpochNeverLowers", testEpochNeverLowers},
		{"EpochSeenAfterCachedCheck", testEpochSeenAfterCachedCheck},
		{"EntriesExpireAfterKeep", testEntriesExpire},
		{"ConcurrentWritesAndChecks", testConcurrentWritesAndChecks},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, newHarness(t))
		})
	}
}

// NewID returns 128 random bits, hex-encoded: a fresh subject or session id.
func NewID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func mustRevoked(t *testing.T, s auth.RevocationStore, subject, sid string, epoch int64, want bool) {
	t.Helper()
	got, err := s.IsRevoked(context.Background(), subject, sid, epoch)
	if err != nil {
		t.Fatalf("IsRevoked(%s, %s, %d): %v", subject, sid, epoch, err)
	}
	if got != want {
		t.Fatalf("IsRevoked(%s, %s, %d) = %v, want %v", subject, sid, epoch, got, want)
	}
}

func testUnknownSessionNotRevoked(t *testing.T, h RevocationHarness) {
	s := h.Store
	mustRevoked(t, s, NewID(), NewID(), 0, false)
}

func testRevokedSessionSeenImmediately(t *testing.T, h RevocationHarness) {
	s := h.Store
	ctx := context.Background()
	sub := NewID()
	for range 50 {
		sid := NewID()
		mustRevoked(t, s, sub, sid, 0, false) // warm any cache
		if err := s.RevokeSession(ctx, sub, sid, time.Hour); err != nil {
			t.Fatalf("RevokeSession: %v", err)
		}
		mustRevoked(t, s, sub, sid, 0, true)
	}
}

func testRevocationIsPerSession(t *testing.T, h RevocationHarness) {
	s := h.Store
	ctx := context.Background()
	sub, other, sid := NewID(), NewID(), NewID()
	if err := s.RevokeSession(ctx, sub, sid, time.Hour); err != nil {
		t.Fatal(err)
	}
	mustRevoked(t, s, sub, sid, 0, true)
	mustRevoked(t, s, sub, NewID(), 0, false)
	mustRevoked(t, s, other, sid, 0, false)
}

func testEpochRejectsLower(t *testing.T, h RevocationHarness) {
	s := h.Store
	ctx := context.Background()
	sub, sid := NewID(), NewID()
	mustRevoked(t, s, sub, sid, 4, false)
	if err := s.RaiseEpoch(ctx, sub, 5, time.Hour); err != nil {
		t.Fatalf("RaiseEpoch: %v", err)
	}
	mustRevoked(t, s, sub, sid, 0, true)
	mustRevoked(t, s, sub, sid, 4, true)
	mustRevoked(t, s, sub, sid, 5, false)
	mustRevoked(t, s, sub, sid, 6, false)
	mustRevoked(t, s, NewID(), sid, 4, false) // another subject
}

func testEpochNeverLowers(t *testing.T, h RevocationHarness) {
	s := h.Store
	ctx := context.Background()
	sub := NewID()
	for _, e := range []int64{5, 3, 1} {
		if err := s.RaiseEpoch(ctx, sub, e, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	mustRevoked(t, s, sub, NewID(), 4, true)
	if err := s.RaiseEpoch(ctx, sub, 1<<40, time.Hour); err != nil {
		t.Fatal(err)
	}
	mustRevoked(t, s, sub, NewID(), 1<<40-1, true)
	mustRevoked(t, s, sub, NewID(), 1<<40, false)
}

// testEpochSeenAfterCachedCheck checks that a check answered from a cache
// does not hide a later raise, over many rounds.
func testEpochSeenAfterCachedCheck(t *testing.T, h RevocationHarness) {
	s := h.Store
	ctx := context.Background()
	sub, sid := NewID(), NewID()
	for e := int64(1); e <= 30; e++ {
		mustRevoked(t, s, sub, sid, e-1, false)
		mustRevoked(t, s, sub, sid, e-1, false) // now cached, if the store caches
		if err := s.RaiseEpoch(ctx, sub, e, time.Hour); err != nil {
			t.Fatal(err)
		}
		mustRevoked(t, s, sub, sid, e-1, true)
	}
}

// testEntriesExpire checks that an entry is forgotten after keep. It polls
// (expiry is a matter of time passing) with a bound.
func testEntriesExpire(t *testing.T, h RevocationHarness) {
	s := h.Store
	ctx := context.Background()
	sub, sid := NewID(), NewID()
	keep := 50 * time.Millisecond
	if err := s.RevokeSession(ctx, sub, sid, keep); err != nil {
		t.Fatal(err)
	}
	if err := s.RaiseEpoch(ctx, sub, 9, keep); err != nil {
		t.Fatal(err)
	}
	mustRevoked(t, s, sub, NewID(), 8, true)
	if h.Elapse != nil {
		h.Elapse(2 * keep)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		a, err1 := s.IsRevoked(ctx, sub, sid, 9)
		b, err2 := s.IsRevoked(ctx, sub, NewID(), 8)
		if err1 != nil || err2 != nil {
			t.Fatalf("IsRevoked: %v, %v", err1, err2)
		}
		if !a && !b {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("entries kept for %v still revoke after 5 s (session %v, epoch %v)", keep, a, b)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// testConcurrentWritesAndChecks runs writers and readers at once (for the
// race detector) and checks every write is seen at the end.
func testConcurrentWritesAndChecks(t *testing.T, h RevocationHarness) {
	s := h.Store
	ctx := context.Background()
	sub := NewID()
	sids := make([]string, 64)
	for i := range sids {
		sids[i] = NewID()
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := w; i < len(sids); i += 4 {
				if err := s.RevokeSession(ctx, sub, sids[i], time.Hour); err != nil {
					t.Error(err)
				}
				if err := s.RaiseEpoch(ctx, sub, int64(i), time.Hour); err != nil {
					t.Error(err)
				}
			}
		}()
		go func() {
			defer wg.Done()
			for _, sid := range sids {
				if _, err := s.IsRevoked(ctx, sub, sid, 1000); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	for _, sid := range sids {
		mustRevoked(t, s, sub, sid, 1000, true)
	}
	mustRevoked(t, s, sub, NewID(), int64(len(sids)-2), true)
	mustRevoked(t, s, sub, NewID(), int64(len(sids)-1), false)
}
