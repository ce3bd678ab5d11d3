// Package authtest is the conformance suite for auth.RevocationStore
// implementations, in the manner of net/http/httptest or testing/fstest.
//
//	func TestMemoryRevocations(t *testing.T) {
//		authtest.RunRevocationStoreTests(t, func(t *testing.T) auth.RevocationStore {
//			return auth.NewMemoryRevocations(nil)
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

// RunRevocationStoreTests runs the suite. newStore returns an empty store
// (or one whose keys cannot collide with other tests').
func RunRevocationStoreTests(t *testing.T, newStore func(t *testing.T) auth.RevocationStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s auth.RevocationStore)
	}{
		{"UnknownTokenNotRevoked", testUnknownTokenNotRevoked},
		{"RevokedTokenSeenImmediately", testRevokedTokenSeenImmediately},
		{"RevocationIsPerToken", testRevocationIsPerToken},
		{"ExpiredTokenNotRecorded", testExpiredTokenNotRecorded},
		{"ConsumeOnce", testConsumeOnce},
		{"ConcurrentConsumeHasOneWinner", testConcurrentConsume},
		{"SubjectCutoff", testSubjectCutoff},
		{"SubjectCutoffMicrosecondPrecision", testSubjectCutoffPrecision},
		{"SubjectCutoffNeverMovesBack", testSubjectCutoffNeverMovesBack},
		{"RevokedAfterCachedCheck", testRevokedAfterCachedCheck},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, newStore(t))
		})
	}
}

func newID(t *testing.T) string {
	t.Helper()
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func mustRevoked(t *testing.T, s auth.RevocationStore, subject, jti string, iat time.Time, want bool) {
	t.Helper()
	got, err := s.IsRevoked(context.Background(), subject, jti, iat)
	if err != nil {
		t.Fatalf("IsRevoked(%s, %s): %v", subject, jti, err)
	}
	if got != want {
		t.Fatalf("IsRevoked(%s, %s, %v) = %v, want %v", subject, jti, iat, got, want)
	}
}

func testUnknownTokenNotRevoked(t *testing.T, s auth.RevocationStore) {
	mustRevoked(t, s, newID(t), newID(t), time.Now(), false)
}

func testRevokedTokenSeenImmediately(t *testing.T, s auth.RevocationStore) {
	ctx := context.Background()
	sub := newID(t)
	for range 50 {
		jti := newID(t)
		mustRevoked(t, s, sub, jti, time.Now(), false) // warm any cache
		if err := s.RevokeToken(ctx, sub, jti, time.Now().Add(time.Hour)); err != nil {
			t.Fatalf("RevokeToken: %v", err)
		}
		mustRevoked(t, s, sub, jti, time.Now(), true)
	}
}

func testRevocationIsPerToken(t *testing.T, s auth.RevocationStore) {
	ctx := context.Background()
	sub, a, b := newID(t), newID(t), newID(t)
	if err := s.RevokeToken(ctx, sub, a, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	mustRevoked(t, s, sub, a, time.Now(), true)
	mustRevoked(t, s, sub, b, time.Now(), false)
	mustRevoked(t, s, newID(t), b, time.Now(), false)
}

func testExpiredTokenNotRecorded(t *testing.T, s auth.RevocationStore) {
	// A token that has already expired needs no entry: it is rejected by
	// its exp claim, and the store must not grow for it.
	ctx := context.Background()
	sub, jti := newID(t), newID(t)
	if err := s.RevokeToken(ctx, sub, jti, time.Now().Add(-time.Second)); err != nil {
		t.Fatalf("RevokeToken of expired token: %v", err)
	}
	if first, err := s.ConsumeToken(ctx, sub, newID(t), time.Now().Add(-time.Second)); err != nil || first {
		t.Fatalf("ConsumeToken of expired token = %v, %v; want false, nil", first, err)
	}
}

func testConsumeOnce(t *testing.T, s auth.RevocationStore) {
	ctx := context.Background()
	sub, jti := newID(t), newID(t)
	exp := time.Now().Add(time.Hour)
	first, err := s.ConsumeToken(ctx, sub, jti, exp)
	if err != nil || !first {
		t.Fatalf("first ConsumeToken = %v, %v; want true, nil", first, err)
	}
	mustRevoked(t, s, sub, jti, time.Now(), true)
	again, err := s.ConsumeToken(ctx, sub, jti, exp)
	if err != nil || again {
		t.Fatalf("second ConsumeToken = %v, %v; want false, nil", again, err)
	}
	// A token revoked by RevokeToken cannot be consumed either.
	other := newID(t)
	if err := s.RevokeToken(ctx, sub, other, exp); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ConsumeToken(ctx, sub, other, exp); err != nil || got {
		t.Fatalf("ConsumeToken of revoked token = %v, %v; want false, nil", got, err)
	}
}

func testConcurrentConsume(t *testing.T, s auth.RevocationStore) {
	ctx := context.Background()
	sub, jti := newID(t), newID(t)
	exp := time.Now().Add(time.Hour)
	const n = 32
	var wg sync.WaitGroup
	var mu sync.Mutex
	winners := 0
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			first, err := s.ConsumeToken(ctx, sub, jti, exp)
			if err != nil {
				t.Errorf("ConsumeToken: %v", err)
				return
			}
			if first {
				mu.Lock()
				winners++
				mu.Unlock()
			}
		})
	}
	close(start)
	wg.Wait()
	if winners != 1 {
		t.Fatalf("%d concurrent ConsumeToken calls won, want exactly 1", winners)
	}
}

func testSubjectCutoff(t *testing.T, s auth.RevocationStore) {
	ctx := context.Background()
	sub, other := newID(t), newID(t)
	cut := time.Now()
	before, after := cut.Add(-time.Minute), cut.Add(time.Minute)
	mustRevoked(t, s, sub, newID(t), before, false)
	if err := s.RevokeSubject(ctx, sub, cut, cut.Add(time.Hour)); err != nil {
		t.Fatalf("RevokeSubject: %v", err)
	}
	mustRevoked(t, s, sub, newID(t), before, true)
	mustRevoked(t, s, sub, newID(t), after, false)
	mustRevoked(t, s, other, newID(t), before, false)
}

func testSubjectCutoffPrecision(t *testing.T, s auth.RevocationStore) {
	ctx := context.Background()
	sub := newID(t)
	cut := time.Now().Truncate(time.Microsecond)
	if err := s.RevokeSubject(ctx, sub, cut, cut.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	mustRevoked(t, s, sub, newID(t), cut.Add(-time.Microsecond), true)
	mustRevoked(t, s, sub, newID(t), cut, false)
	mustRevoked(t, s, sub, newID(t), cut.Add(time.Microsecond), false)
}

func testSubjectCutoffNeverMovesBack(t *testing.T, s auth.RevocationStore) {
	ctx := context.Background()
	sub := newID(t)
	late := time.Now()
	early := late.Add(-time.Hour)
	if err := s.RevokeSubject(ctx, sub, late, late.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeSubject(ctx, sub, early, late.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	mustRevoked(t, s, sub, newID(t), late.Add(-time.Minute), true)
}

func testRevokedAfterCachedCheck(t *testing.T, s auth.RevocationStore) {
	// Check the subject first (warming any client-side cache of the
	// cut-off), then revoke the subject: the next check must see it.
	ctx := context.Background()
	sub, jti := newID(t), newID(t)
	iat := time.Now().Add(-time.Second)
	for range 3 {
		mustRevoked(t, s, sub, jti, iat, false)
	}
	if err := s.RevokeSubject(ctx, sub, time.Now(), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	mustRevoked(t, s, sub, jti, iat, true)
}
