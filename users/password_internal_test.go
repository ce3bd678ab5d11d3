package users

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/internal/testenv"
)

// TestHashWaitsForSlot checks that hashing beyond MaxConcurrent waits for a
// free slot and gives up when the context ends.
func TestHashWaitsForSlot(t *testing.T) {
	h := NewHasher(HasherOptions{Params: Params{Memory: 64, Iterations: 1}, MaxConcurrent: 1})
	h.sem <- struct{}{} // the only slot is busy
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Hash(ctx, "password1"); !errors.Is(err, context.Canceled) {
		t.Errorf("Hash with no free slot error = %v, want context.Canceled", err)
	}
	if _, _, err := h.Verify(ctx, encodePHC(h.params, make([]byte, 16), make([]byte, 32)), "password1"); !errors.Is(err, context.Canceled) {
		t.Errorf("Verify with no free slot error = %v, want context.Canceled", err)
	}
	<-h.sem
	if _, err := h.Hash(context.Background(), "password1"); err != nil {
		t.Errorf("Hash with a free slot: %v", err)
	}
}

// fullHasher returns a cheap Hasher with one slot, already taken: every
// hash has to wait until the test frees it with <-h.sem.
func fullHasher(t *testing.T, maxWait time.Duration) *Hasher {
	t.Helper()
	h := NewHasher(HasherOptions{Params: Params{Memory: 64, Iterations: 1}, MaxConcurrent: 1, MaxWait: maxWait})
	h.sem <- struct{}{}
	return h
}

// waitForWaiters blocks until n callers wait for a slot of h. It yields
// instead of sleeping: the count is the observable state it waits for.
func waitForWaiters(t *testing.T, h *Hasher, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for h.waiting.Load() != n {
		if time.Now().After(deadline) {
			t.Fatalf("waiting = %d, want %d", h.waiting.Load(), n)
		}
		runtime.Gosched()
	}
}

// TestHashGivesUpAfterMaxWait checks that a caller finding every slot taken
// for MaxWait gets ErrBusy, with a Retry-After of whole seconds, and that
// nothing was hashed for it.
func TestHashGivesUpAfterMaxWait(t *testing.T) {
	h := fullHasher(t, 20*time.Millisecond)
	_, err := h.Hash(context.Background(), "password1")
	if !errors.Is(err, ErrBusy) || !IsUnavailable(err) {
		t.Fatalf("Hash with every slot taken error = %v, want ErrBusy (unavailable)", err)
	}
	var ra interface{ RetryAfter() time.Duration }
	if !errors.As(err, &ra) || ra.RetryAfter() != time.Second {
		t.Errorf("RetryAfter = %v, want 1s", ra)
	}
	if err := h.VerifyDummy(context.Background(), "password1"); !errors.Is(err, ErrBusy) {
		t.Errorf("VerifyDummy with every slot taken error = %v, want ErrBusy", err)
	}
	if n := h.derivations.Load(); n != 0 {
		t.Errorf("derivations = %d, want 0", n)
	}
	<-h.sem // a busy first call must not spoil later ones
	if err := h.VerifyDummy(context.Background(), "password1"); err != nil || h.derivations.Load() != 1 {
		t.Errorf("VerifyDummy with a free slot = %v after %d derivations, want nil after 1", err, h.derivations.Load())
	}
	if got := (&busyError{retryAfter: DefaultMaxWait}).RetryAfter(); got != 2*time.Second {
		t.Errorf("RetryAfter for %v = %v, want 2s", DefaultMaxWait, got)
	}
}

// TestQueuedHashDroppedWhenCallerGone checks that a waiting caller whose
// context ends leaves the queue at once and is never hashed, even once a
// slot frees.
func TestQueuedHashDroppedWhenCallerGone(t *testing.T) {
	h := fullHasher(t, -1) // no time bound: only the context ends the wait
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := h.Hash(ctx, "password1"); done <- err }()
	waitForWaiters(t, h, 1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Hash error = %v, want context.Canceled", err)
	}
	waitForWaiters(t, h, 0)
	<-h.sem
	if n := h.derivations.Load(); n != 0 {
		t.Errorf("derivations = %d, want 0", n)
	}
	// A caller that is already gone takes no free slot either.
	if _, err := h.Hash(ctx, "password1"); !errors.Is(err, context.Canceled) || h.derivations.Load() != 0 {
		t.Errorf("Hash(cancelled) = %v after %d derivations, want context.Canceled and none", err, h.derivations.Load())
	}
	if len(h.sem) != 0 {
		t.Errorf("slots held = %d, want 0", len(h.sem))
	}
}

// TestQueuedHashesAllServed checks that callers queued within MaxWait are
// all served, one after another, once a slot frees. (Which of them goes
// first is the channel's order of parked senders; a caller counted as
// waiting may not be parked yet, so the test does not assert an order.)
func TestQueuedHashesAllServed(t *testing.T) {
	h := fullHasher(t, time.Minute)
	done := make(chan string, 2)
	for i, name := range []string{"first", "second"} {
		go func() {
			if _, err := h.Hash(context.Background(), "password1"); err != nil {
				t.Errorf("Hash(%s): %v", name, err)
			}
			done <- name
		}()
		waitForWaiters(t, h, int64(i+1))
	}
	if n := h.derivations.Load(); n != 0 {
		t.Fatalf("derivations before a slot freed = %d, want 0", n)
	}
	<-h.sem // free the one slot
	got := map[string]bool{<-done: true, <-done: true}
	if !got["first"] || !got["second"] {
		t.Errorf("served %v, want both", got)
	}
	if n := h.derivations.Load(); n != 2 {
		t.Errorf("derivations = %d, want 2", n)
	}
}

// TestSignupBusyAnswers503 checks the HTTP answer to ErrBusy: 503 with
// Retry-After, and no hashing.
func TestSignupBusyAnswers503(t *testing.T) {
	h := fullHasher(t, 10*time.Millisecond)
	db := testenv.DB(t)
	if err := Migrate(context.Background(), db); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	handlers := NewHandlers(NewService(NewStore(db), Options{Hasher: h}), nil, HandlerOptions{})
	form := url.Values{"username": {"busybee"}, "email": {"busy@example.com"}, "password": {"secretpassword"},
		"first_name": {"Busy"}, "last_name": {"Bee"}}
	req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/signup", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	handlers.Signup().ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "1" {
		t.Errorf("signup while hashing is saturated = %d, Retry-After %q; want 503, \"1\"\n%s",
			rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if !strings.Contains(rec.Body.String(), `"SERVICE_UNAVAILABLE"`) {
		t.Errorf("body = %s, want error_code SERVICE_UNAVAILABLE", rec.Body)
	}
	if n := h.derivations.Load(); n != 0 {
		t.Errorf("derivations = %d, want 0", n)
	}
}
