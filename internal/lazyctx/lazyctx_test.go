package lazyctx

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestErrFollowsTheClockWithoutATimer(t *testing.T) {
	ctx := WithTimeout(context.Background(), 20*time.Millisecond)
	cancel := ctx.Cancel
	defer cancel()
	if d, ok := ctx.Deadline(); !ok || time.Until(d) > 20*time.Millisecond || time.Until(d) < 10*time.Millisecond {
		t.Fatalf("Deadline: %v %v, want about 20ms from now", d, ok)
	}
	if err := ctx.Err(); err != nil {
		t.Fatalf("Err before the deadline: %v", err)
	}
	time.Sleep(25 * time.Millisecond)
	if err := ctx.Err(); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Err after the deadline: %v, want DeadlineExceeded", err)
	}
	if s := ctx.state.Load(); s != lazy {
		t.Fatalf("a timer was started (state %d) though nothing called Done", s)
	}
	select {
	case <-ctx.Done(): // starts a timer already past its deadline
	case <-time.After(time.Second):
		t.Fatal("Done did not close after the deadline")
	}
}

func TestDoneClosesAtTheDeadline(t *testing.T) {
	began := time.Now()
	ctx := WithTimeout(context.Background(), 30*time.Millisecond)
	cancel := ctx.Cancel
	defer cancel()
	select {
	case <-ctx.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("Done did not close")
	}
	if elapsed := time.Since(began); elapsed < 29*time.Millisecond {
		t.Fatalf("Done closed after %v, before the 30ms deadline", elapsed)
	}
	if err := ctx.Err(); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Err: %v, want DeadlineExceeded", err)
	}
}

type testKey struct{}

func TestParentCancellation(t *testing.T) {
	for _, startFirst := range []bool{false, true} {
		parent, cancelParent := context.WithCancel(context.WithValue(context.Background(), testKey{}, "v"))
		ctx := WithTimeout(parent, time.Hour)
		cancel := ctx.Cancel
		if got := ctx.Value(testKey{}); got != "v" {
			t.Fatalf("Value: %v, want the parent's", got)
		}
		if startFirst {
			ctx.Done()
		}
		cancelParent()
		if err := ctx.Err(); !errors.Is(err, context.Canceled) {
			t.Fatalf("started=%v: Err after the parent's cancellation: %v", startFirst, err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
			t.Fatalf("started=%v: Done did not close with the parent", startFirst)
		}
		cancel()
	}
}

func TestParentDeadlineComesFirst(t *testing.T) {
	parent, cancelParent := context.WithTimeout(context.Background(), time.Minute)
	defer cancelParent()
	ctx := WithTimeout(parent, time.Hour)
	cancel := ctx.Cancel
	defer cancel()
	pd, _ := parent.Deadline()
	if d, _ := ctx.Deadline(); !d.Equal(pd) {
		t.Fatalf("Deadline %v, want the parent's earlier %v", d, pd)
	}
}

func TestCancel(t *testing.T) {
	for _, startFirst := range []bool{false, true} {
		ctx := WithTimeout(context.Background(), time.Hour)
		cancel := ctx.Cancel
		if startFirst {
			ctx.Done()
		}
		cancel()
		cancel() // idempotent
		if err := ctx.Err(); !errors.Is(err, context.Canceled) {
			t.Fatalf("started=%v: Err after cancel: %v, want Canceled", startFirst, err)
		}
		select {
		case <-ctx.Done():
		default:
			t.Fatalf("started=%v: Done open after cancel", startFirst)
		}
	}
}

// Done and cancel racing leave the context cancelled and its Done closed
// (run with -race).
func TestDoneRacingCancel(t *testing.T) {
	for range 200 {
		ctx := WithTimeout(context.Background(), time.Hour)
		cancel := ctx.Cancel
		var wg sync.WaitGroup
		wg.Go(func() { <-ctx.Done() })
		wg.Go(cancel)
		wg.Wait()
		if !errors.Is(ctx.Err(), context.Canceled) {
			t.Fatalf("Err %v, want Canceled", ctx.Err())
		}
	}
}

// A child derived by the context package follows the lazy parent.
func TestDerivedContext(t *testing.T) {
	ctx := WithTimeout(context.Background(), 20*time.Millisecond)
	cancel := ctx.Cancel
	defer cancel()
	child, cancelChild := context.WithCancel(ctx)
	defer cancelChild()
	select {
	case <-child.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("the child did not end with the lazy parent's deadline")
	}
	if !errors.Is(child.Err(), context.DeadlineExceeded) {
		t.Fatalf("child Err %v, want DeadlineExceeded", child.Err())
	}
}

func BenchmarkTimeoutUnused(b *testing.B) {
	parent, cancelParent := context.WithCancel(context.Background())
	defer cancelParent()
	b.Run("context.WithTimeout", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, cancel := context.WithTimeout(parent, time.Second)
			cancel()
		}
	})
	b.Run("lazyctx.WithTimeout", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			WithTimeout(parent, time.Second).Cancel()
		}
	})
}

// TestConcurrentFirstUse starts the timer from several goroutines at once,
// each also reading Err: none may see a started context without its timer
// (the race detector checks the publication order).
func TestConcurrentFirstUse(t *testing.T) {
	for range 2000 {
		c := WithTimeout(context.Background(), time.Hour)
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if c.Done() == nil {
					t.Error("Done returned nil")
				}
				if err := c.Err(); err != nil {
					t.Errorf("Err = %v before the deadline", err)
				}
			}()
		}
		wg.Wait()
		c.Cancel()
		if err := c.Err(); err != context.Canceled {
			t.Fatalf("Err after Cancel = %v, want Canceled", err)
		}
	}
}
