package authtest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/auth"
)

// SessionHarness is what RunSessionStoreTests needs of a backend.
type SessionHarness struct {
	// Store is the SessionStore under test.
	Store auth.SessionStore
	// NewSubject returns a subject the store accepts sessions for, at
	// credential epoch 0 (for a store on a users table: a new user's id).
	NewSubject func(t *testing.T) string
}

// RunSessionStoreTests runs the SessionStore suite. newHarness returns a
// store and a way to make subjects for it; each test makes its own.
func RunSessionStoreTests(t *testing.T, newHarness func(t *testing.T) SessionHarness) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h SessionHarness)
	}{
		{"CreateAndList", testCreateAndList},
		{"CreateWithStaleEpoch", testCreateWithStaleEpoch},
		{"RotateAdvancesGeneration", testRotateAdvances},
		{"RotateReuseEndsSession", testRotateReuse},
		{"ConcurrentRotationsHaveOneWinner", testConcurrentRotations},
		{"RotateExpired", testRotateExpired},
		{"RotateOtherSubject", testRotateOtherSubject},
		{"EndSession", testEndSession},
		{"EndSessionsExcept", testEndSessionsExcept},
		{"ChangeCredentials", testChangeCredentials},
		{"EndedSessions", testEndedSessions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, newHarness(t))
		})
	}
}

const testTTL = time.Hour

func create(t *testing.T, h SessionHarness, sub string, epoch int64, ua string) *auth.Session {
	t.Helper()
	s, err := h.Store.CreateSession(context.Background(), auth.Session{ID: NewID(), Subject: sub, Epoch: epoch,
		Client: auth.ClientInfo{UserAgent: ua, IP: "192.0.2.7"}}, testTTL)
	if err != nil {
		t.Fatalf("CreateSession(%s, epoch %d): %v", sub, epoch, err)
	}
	return s
}

func list(t *testing.T, h SessionHarness, sub string) []auth.Session {
	t.Helper()
	l, err := h.Store.ListSessions(context.Background(), sub)
	if err != nil {
		t.Fatalf("ListSessions: %v", err)
	}
	return l
}

func ids(l []auth.Session) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = s.ID
	}
	return out
}

func wantErr(t *testing.T, op string, err error, want ...error) {
	t.Helper()
	for _, w := range want {
		if errors.Is(err, w) {
			return
		}
	}
	t.Fatalf("%s: got error %v, want one of %v", op, err, want)
}

func testCreateAndList(t *testing.T, h SessionHarness) {
	sub := h.NewSubject(t)
	before := time.Now().Add(-time.Minute) // the store's clock may differ a little
	a := create(t, h, sub, 0, "first agent")
	b := create(t, h, sub, 0, "second agent")
	if a.CreatedAt.Before(before) || !a.RefreshedAt.Equal(a.CreatedAt) || a.Generation != 0 {
		t.Fatalf("created session %+v: want CreatedAt now, RefreshedAt = CreatedAt, Generation 0", a)
	}
	if d := a.ExpiresAt.Sub(a.CreatedAt); d < testTTL-time.Millisecond || d > testTTL+time.Millisecond {
		t.Fatalf("ExpiresAt - CreatedAt = %v, want %v", d, testTTL)
	}
	l := list(t, h, sub)
	if len(l) != 2 || l[0].ID != b.ID || l[1].ID != a.ID {
		t.Fatalf("ListSessions = %v, want [%s %s] (newest first)", ids(l), b.ID, a.ID)
	}
	if l[1].Client.UserAgent != "first agent" || l[1].Client.IP != "192.0.2.7" || l[1].Subject != sub {
		t.Fatalf("listed session %+v lost its client or subject", l[1])
	}
	if other := list(t, h, h.NewSubject(t)); len(other) != 0 {
		t.Fatalf("another subject lists %v, want none", ids(other))
	}
}

func testCreateWithStaleEpoch(t *testing.T, h SessionHarness) {
	ctx := context.Background()
	sub := h.NewSubject(t)
	epoch, err := h.Store.ChangeCredentials(ctx, sub)
	if err != nil || epoch != 1 {
		t.Fatalf("ChangeCredentials = %d, %v, want 1", epoch, err)
	}
	_, err = h.Store.CreateSession(ctx, auth.Session{ID: NewID(), Subject: sub, Epoch: 0}, testTTL)
	wantErr(t, "CreateSession with epoch 0 after a change", err, auth.ErrStaleCredentials)
	create(t, h, sub, 1, "")
	if l := list(t, h, sub); len(l) != 1 {
		t.Fatalf("ListSessions has %d sessions, want 1 (the stale one must not be recorded)", len(l))
	}
}

func testRotateAdvances(t *testing.T, h SessionHarness) {
	ctx := context.Background()
	sub := h.NewSubject(t)
	s := create(t, h, sub, 0, "")
	for gen := uint64(0); gen < 5; gen++ {
		r, err := h.Store.RotateSession(ctx, sub, s.ID, gen, 0, 2*testTTL)
		if err != nil {
			t.Fatalf("RotateSession(gen %d): %v", gen, err)
		}
		if r.Generation != gen+1 || r.ID != s.ID || r.Subject != sub {
			t.Fatalf("rotated session %+v, want generation %d of %s", r, gen+1, s.ID)
		}
		if r.RefreshedAt.Before(s.CreatedAt) || r.ExpiresAt.Sub(r.RefreshedAt) < 2*testTTL-time.Millisecond {
			t.Fatalf("rotated session refreshed %v expires %v, want refreshed now and expiring %v later",
				r.RefreshedAt, r.ExpiresAt, 2*testTTL)
		}
		if !r.CreatedAt.Equal(s.CreatedAt) {
			t.Fatalf("CreatedAt moved from %v to %v", s.CreatedAt, r.CreatedAt)
		}
	}
}

func testRotateReuse(t *testing.T, h SessionHarness) {
	ctx := context.Background()
	sub := h.NewSubject(t)
	s := create(t, h, sub, 0, "")
	keep := create(t, h, sub, 0, "")
	if _, err := h.Store.RotateSession(ctx, sub, s.ID, 0, 0, testTTL); err != nil {
		t.Fatal(err)
	}
	_, err := h.Store.RotateSession(ctx, sub, s.ID, 0, 0, testTTL)
	wantErr(t, "RotateSession with a consumed generation", err, auth.ErrRefreshReused)
	_, err = h.Store.RotateSession(ctx, sub, s.ID, 1, 0, testTTL)
	wantErr(t, "RotateSession of the current generation after reuse", err, auth.ErrSessionEnded)
	if l := list(t, h, sub); len(l) != 1 || l[0].ID != keep.ID {
		t.Fatalf("after reuse ListSessions = %v, want only the untouched session %s", ids(l), keep.ID)
	}
	got, ended, err := h.Store.EndSession(ctx, sub, s.ID, auth.EndLogout)
	if err != nil || ended || got.EndReason != auth.EndRefreshUsed || got.EndedAt.IsZero() {
		t.Fatalf("EndSession of the reused session = %+v, %v, %v; want it already ended with %q",
			got, ended, err, auth.EndRefreshUsed)
	}
}

func testConcurrentRotations(t *testing.T, h SessionHarness) {
	ctx := context.Background()
	sub := h.NewSubject(t)
	s := create(t, h, sub, 0, "")
	const n = 16
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = h.Store.RotateSession(ctx, sub, s.ID, 0, 0, testTTL)
		}()
	}
	close(start)
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case errors.Is(err, auth.ErrRefreshReused), errors.Is(err, auth.ErrSessionEnded):
		default:
			t.Fatalf("concurrent RotateSession: unexpected error %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d of %d concurrent rotations of one generation succeeded, want exactly 1", wins, n)
	}
}

func testRotateExpired(t *testing.T, h SessionHarness) {
	ctx := context.Background()
	sub := h.NewSubject(t)
	s, err := h.Store.CreateSession(ctx, auth.Session{ID: NewID(), Subject: sub}, time.Microsecond)
	if err != nil {
		t.Fatal(err)
	}
	for start := time.Now(); time.Since(start) < 2*time.Millisecond; {
	}
	_, err = h.Store.RotateSession(ctx, sub, s.ID, 0, 0, testTTL)
	wantErr(t, "RotateSession of an expired session", err, auth.ErrSessionEnded)
	if l := list(t, h, sub); len(l) != 0 {
		t.Fatalf("ListSessions shows expired sessions %v", ids(l))
	}
}

func testRotateOtherSubject(t *testing.T, h SessionHarness) {
	ctx := context.Background()
	sub, other := h.NewSubject(t), h.NewSubject(t)
	s := create(t, h, sub, 0, "")
	_, err := h.Store.RotateSession(ctx, other, s.ID, 0, 0, testTTL)
	wantErr(t, "RotateSession as another subject", err, auth.ErrSessionNotFound)
	_, err = h.Store.RotateSession(ctx, sub, NewID(), 0, 0, testTTL)
	wantErr(t, "RotateSession of an unknown session", err, auth.ErrSessionNotFound)
	if _, err := h.Store.RotateSession(ctx, sub, s.ID, 0, 0, testTTL); err != nil {
		t.Fatalf("the owner's rotation after another subject's attempt: %v", err)
	}
}

func testEndSession(t *testing.T, h SessionHarness) {
	ctx := context.Background()
	sub, other := h.NewSubject(t), h.NewSubject(t)
	s := create(t, h, sub, 0, "")
	_, _, err := h.Store.EndSession(ctx, other, s.ID, auth.EndRevoked)
	wantErr(t, "EndSession as another subject", err, auth.ErrSessionNotFound)
	_, _, err = h.Store.EndSession(ctx, sub, NewID(), auth.EndRevoked)
	wantErr(t, "EndSession of an unknown session", err, auth.ErrSessionNotFound)
	got, ended, err := h.Store.EndSession(ctx, sub, s.ID, auth.EndLogout)
	if err != nil || !ended || got.EndReason != auth.EndLogout || got.EndedAt.IsZero() {
		t.Fatalf("EndSession = %+v, %v, %v; want ended now with %q", got, ended, err, auth.EndLogout)
	}
	_, ended, err = h.Store.EndSession(ctx, sub, s.ID, auth.EndRevoked)
	if err != nil || ended {
		t.Fatalf("second EndSession = ended %v, %v; want false, nil", ended, err)
	}
	_, err = h.Store.RotateSession(ctx, sub, s.ID, 0, 0, testTTL)
	wantErr(t, "RotateSession of an ended session", err, auth.ErrSessionEnded)
	if l := list(t, h, sub); len(l) != 0 {
		t.Fatalf("ListSessions shows ended sessions %v", ids(l))
	}
}

func testEndSessionsExcept(t *testing.T, h SessionHarness) {
	ctx := context.Background()
	sub, other := h.NewSubject(t), h.NewSubject(t)
	a, b, c := create(t, h, sub, 0, ""), create(t, h, sub, 0, ""), create(t, h, sub, 0, "")
	o := create(t, h, other, 0, "")
	ended, err := h.Store.EndSessions(ctx, sub, b.ID, auth.EndRevoked)
	if err != nil || len(ended) != 2 {
		t.Fatalf("EndSessions except one = %v, %v; want 2 ended", ids(ended), err)
	}
	for _, s := range ended {
		if s.ID != a.ID && s.ID != c.ID {
			t.Fatalf("EndSessions ended %s, want only %s and %s", s.ID, a.ID, c.ID)
		}
	}
	if l := list(t, h, sub); len(l) != 1 || l[0].ID != b.ID {
		t.Fatalf("ListSessions = %v, want [%s]", ids(l), b.ID)
	}
	if ended, err = h.Store.EndSessions(ctx, sub, "", auth.EndRevoked); err != nil || len(ended) != 1 {
		t.Fatalf("EndSessions all = %v, %v; want the last one", ids(ended), err)
	}
	if l := list(t, h, other); len(l) != 1 || l[0].ID != o.ID {
		t.Fatalf("another subject's sessions = %v, want untouched [%s]", ids(l), o.ID)
	}
}

func testChangeCredentials(t *testing.T, h SessionHarness) {
	ctx := context.Background()
	sub, other := h.NewSubject(t), h.NewSubject(t)
	s := create(t, h, sub, 0, "")
	create(t, h, other, 0, "")
	for want := int64(1); want <= 3; want++ {
		epoch, err := h.Store.ChangeCredentials(ctx, sub)
		if err != nil || epoch != want {
			t.Fatalf("ChangeCredentials = %d, %v; want %d", epoch, err, want)
		}
	}
	got, ended, err := h.Store.EndSession(ctx, sub, s.ID, auth.EndLogout)
	if err != nil || ended || got.EndReason != auth.EndCredentials {
		t.Fatalf("session after ChangeCredentials = %+v, ended now %v, %v; want ended with %q", got, ended, err, auth.EndCredentials)
	}
	_, err = h.Store.RotateSession(ctx, sub, s.ID, 0, 0, testTTL)
	wantErr(t, "RotateSession after ChangeCredentials", err, auth.ErrSessionEnded, auth.ErrStaleCredentials)
	if l := list(t, h, other); len(l) != 1 {
		t.Fatalf("another subject's sessions = %v, want untouched", ids(l))
	}
	fresh := create(t, h, sub, 3, "")
	if _, err := h.Store.RotateSession(ctx, sub, fresh.ID, 0, 2, testTTL); !errors.Is(err, auth.ErrStaleCredentials) {
		t.Fatalf("RotateSession with a stale epoch: %v, want ErrStaleCredentials", err)
	}
	if _, err := h.Store.RotateSession(ctx, sub, fresh.ID, 0, 3, testTTL); err != nil {
		t.Fatalf("RotateSession at the current epoch: %v", err)
	}
}

func testEndedSessions(t *testing.T, h SessionHarness) {
	ctx := context.Background()
	sub := h.NewSubject(t)
	live := create(t, h, sub, 0, "")
	gone := create(t, h, sub, 0, "")
	if _, _, err := h.Store.EndSession(ctx, sub, gone.ID, auth.EndLogout); err != nil {
		t.Fatal(err)
	}
	ended, err := h.Store.EndedSessions(ctx, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range ended {
		if s.ID == live.ID {
			t.Fatalf("EndedSessions lists the live session %s", live.ID)
		}
		if s.ID == gone.ID {
			found = s.Subject == sub
		}
	}
	if !found {
		t.Fatalf("EndedSessions = %v, want it to include %s of %s", ids(ended), gone.ID, sub)
	}
}
