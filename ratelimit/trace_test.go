package ratelimit_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/ratelimit"
	"github.com/groundwork-go/groundwork/tracehook"
	"github.com/groundwork-go/groundwork/tracehook/tracehooktest"
)

// TestTraceReportsDecisions checks Options.Trace: one "ratelimit.allow"
// span per decision, naming the policy and the outcome, with a store
// failure as its error.
func TestTraceReportsDecisions(t *testing.T) {
	rec := &tracehooktest.Recorder{}
	l := ratelimit.New(ratelimit.NewMemoryStore(ratelimit.MemoryOptions{}), ratelimit.Options{Trace: rec.Start})
	p := ratelimit.Policy{Name: "strict", Limit: 1, Window: time.Minute}
	l.Allow(context.Background(), "ip:192.0.2.1", p)
	l.Allow(context.Background(), "ip:192.0.2.1", p)
	failing := ratelimit.New(failingStore{}, ratelimit.Options{Trace: rec.Start, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	failing.Allow(context.Background(), "ip:192.0.2.1", ratelimit.Policy{Limit: 5, Window: time.Second})

	want := []struct {
		policy, outcome string
		allowed, failed bool
	}{
		{"strict", "allowed", true, false},
		{"strict", "denied", false, false},
		{"5/1s", "failed_open", true, true},
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
		if s.Name != "ratelimit.allow" || s.Ends != 1 || policy != w.policy || outcome != w.outcome || allowed != w.allowed || (s.Err != nil) != w.failed {
			t.Errorf("span %d = %s policy=%v outcome=%v allowed=%v err=%v (ended %d times), want ratelimit.allow policy=%s outcome=%s allowed=%v failed=%v",
				i+1, s.Name, policy, outcome, allowed, s.Err, s.Ends, w.policy, w.outcome, w.allowed, w.failed)
		}
		for _, a := range s.Attrs {
			if v, ok := a.Value.(string); ok && v == "ip:192.0.2.1" {
				t.Errorf("span %d reports the key in %s", i+1, a.Key)
			}
		}
	}
}

// TestTraceCostsOnlyWhenOn checks that the hook's cost (its attributes and
// the span) is paid only with tracing on: a decision with tracing off
// allocates fewer times than the same decision traced by a hook that keeps
// nothing.
func TestTraceCostsOnlyWhenOn(t *testing.T) {
	p := ratelimit.Policy{Name: "user", Limit: 1 << 30, Window: time.Minute}
	ctx := context.Background()
	allocs := func(opts ratelimit.Options) float64 {
		l := ratelimit.New(ratelimit.NewMemoryStore(ratelimit.MemoryOptions{}), opts)
		l.Allow(ctx, "user:1", p) // the key's window exists from here on
		return testing.AllocsPerRun(1000, func() { l.Allow(ctx, "user:1", p) })
	}
	discard := func(ctx context.Context, _ string, _ ...tracehook.Attr) (context.Context, tracehook.End) {
		return ctx, func(error, ...tracehook.Attr) {}
	}
	off, on := allocs(ratelimit.Options{}), allocs(ratelimit.Options{Trace: discard})
	if off >= on {
		t.Errorf("Allow allocates %v times per call with tracing off and %v with it on; want fewer when off", off, on)
	}
}
