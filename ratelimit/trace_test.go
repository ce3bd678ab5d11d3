package ratelimit_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/ratelimit"
	"github.com/groundwork-go/groundwork/tracehook/tracehooktest"
)

// failingStore fails every call.
type failingStore struct{ err error }

func (s failingStore) Allow(context.Context, string, ratelimit.Policy) (ratelimit.Result, error) {
	return ratelimit.Result{}, s.err
}

// TestTraceReportsDecisions checks Options.Trace: one "ratelimit.allow"
// span per decision, naming the policy and the outcome, with a store
// failure as its error.
func TestTraceReportsDecisions(t *testing.T) {
	rec := &tracehooktest.Recorder{}
	l := ratelimit.New(ratelimit.NewMemoryStore(ratelimit.MemoryOptions{}), ratelimit.Options{Trace: rec.Start})
	p := ratelimit.Policy{Name: "strict", Limit: 1, Window: time.Minute}
	l.Allow(context.Background(), "ip:192.0.2.1", p)
	l.Allow(context.Background(), "ip:192.0.2.1", p)
	down := errors.New("store down")
	failing := ratelimit.New(failingStore{down}, ratelimit.Options{Trace: rec.Start, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	failing.Allow(context.Background(), "ip:192.0.2.1", ratelimit.Policy{Limit: 5, Window: time.Second})

	want := []struct {
		policy, outcome string
		allowed         bool
		err             error
	}{
		{"strict", "allowed", true, nil},
		{"strict", "denied", false, nil},
		{"5/1s", "failed_open", true, down},
	}
	spans := rec.Spans()
	if len(spans) != len(want) {
		t.Fatalf("spans = %v, want %d", rec.Names(), len(want))
	}
	for i, w := range want {
		s := spans[i]
		policy, _ := s.Attr("groundwork.ratelimit.policy")
		outcome, _ := s.Attr("groundwork.ratelimit.outcome")
		allowed, _ := s.Attr("groundwork.ratelimit.allowed")
		if s.Name != "ratelimit.allow" || s.Ends != 1 || policy != w.policy || outcome != w.outcome || allowed != w.allowed || !errors.Is(s.Err, w.err) {
			t.Errorf("span %d = %s policy=%v outcome=%v allowed=%v err=%v (ended %d times), want ratelimit.allow policy=%s outcome=%s allowed=%v err=%v",
				i+1, s.Name, policy, outcome, allowed, s.Err, s.Ends, w.policy, w.outcome, w.allowed, w.err)
		}
		for _, a := range s.Attrs {
			if v, ok := a.Value.(string); ok && v == "ip:192.0.2.1" {
				t.Errorf("span %d reports the key in %s", i+1, a.Key)
			}
		}
	}
}

// TestTraceOffAllocatesNothing checks that a decision with tracing off
// allocates nothing on an in-memory store, so the hook costs nothing but
// its nil check, while the same decision traced does allocate (the
// measurement sees the hook).
func TestTraceOffAllocatesNothing(t *testing.T) {
	p := ratelimit.Policy{Name: "user", Limit: 1 << 30, Window: time.Minute}
	ctx := context.Background()
	allocs := func(opts ratelimit.Options) float64 {
		l := ratelimit.New(ratelimit.NewMemoryStore(ratelimit.MemoryOptions{}), opts)
		l.Allow(ctx, "user:1", p) // the key's window exists from here on
		return testing.AllocsPerRun(1000, func() { l.Allow(ctx, "user:1", p) })
	}
	if off := allocs(ratelimit.Options{}); off != 0 {
		t.Errorf("Allow allocates %v times per call with tracing off, want 0", off)
	}
	if on := allocs(ratelimit.Options{Trace: (&tracehooktest.Recorder{}).Start}); on == 0 {
		t.Error("Allow allocates nothing with tracing on; the measurement does not see the hook")
	}
}
