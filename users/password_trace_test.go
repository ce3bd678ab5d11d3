package users

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/tracehook/tracehooktest"
)

// TestHasherTraceSpans checks the spans of HasherOptions.Trace: one per
// hash or verification, with the cost parameters, a child "argon2id.wait"
// only for a caller that waited for a slot, and ErrBusy as the error of
// both when the wait gave up.
func TestHasherTraceSpans(t *testing.T) {
	rec := &tracehooktest.Recorder{}
	h := NewHasher(HasherOptions{Params: Params{Memory: 64, Iterations: 1}, MaxConcurrent: 1, MaxWait: 20 * time.Millisecond,
		Trace: rec.Start})
	encoded, err := h.Hash(context.Background(), "password1")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.Verify(context.Background(), encoded, "password1"); err != nil {
		t.Fatal(err)
	}
	h.sem <- struct{}{} // the only slot is busy: the next caller waits, then gives up
	if err := h.VerifyDummy(context.Background(), "password1"); !errors.Is(err, ErrBusy) {
		t.Fatalf("VerifyDummy with every slot taken error = %v, want ErrBusy", err)
	}
	<-h.sem

	spans := rec.Spans()
	want := []struct {
		name   string
		parent int
		busy   bool
	}{
		{"argon2id.hash", 0, false},
		{"argon2id.verify", 0, false},
		{"argon2id.verify", 0, true},
		{"argon2id.wait", 3, true},
	}
	if len(spans) != len(want) {
		t.Fatalf("spans = %v, want %d", rec.Names(), len(want))
	}
	for i, w := range want {
		s := spans[i]
		if s.Name != w.name || s.Parent != w.parent || s.Ends != 1 || errors.Is(s.Err, ErrBusy) != w.busy {
			t.Errorf("span %d = %s (parent %d, ended %d times, err %v), want %s (parent %d, busy %v)",
				i+1, s.Name, s.Parent, s.Ends, s.Err, w.name, w.parent, w.busy)
		}
	}
	if m, _ := spans[0].Attr("groundwork.argon2.memory_kib"); m != int64(64) {
		t.Errorf("memory attribute = %v, want 64", m)
	}
	if it, _ := spans[1].Attr("groundwork.argon2.iterations"); it != int64(1) {
		t.Errorf("iterations attribute = %v, want 1", it)
	}
}
