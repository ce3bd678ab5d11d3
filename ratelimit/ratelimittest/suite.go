// Package ratelimittest is the conformance suite every ratelimit.Store
// passes. A backend's test file calls RunStoreTests:
//
//	func TestMemoryStore(t *testing.T) {
//		ratelimittest.RunStoreTests(t, func(t *testing.T) ratelimittest.Backend {
//			clock := ratelimittest.NewClock(time.Now())
//			return ratelimittest.Backend{
//				Store:   ratelimit.NewMemoryStore(ratelimit.MemoryOptions{Now: clock.Now}),
//				Advance: clock.Advance,
//			}
//		})
//	}
package ratelimittest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/ratelimit"
)

// Backend is one store under test.
type Backend struct {
	// Store is a fresh store: no key used by the suite holds requests yet.
	Store ratelimit.Store
	// Advance, when non-nil, moves the store's clock forward by d; between
	// calls the clock must stand still. When nil the store runs on real
	// time, and the exactness tests instead replay the decision times the
	// store reports (Result.Time) through the reference model.
	Advance func(d time.Duration)
}

// RunStoreTests runs the conformance suite, calling newStore for a fresh
// Backend in every subtest.
func RunStoreTests(t *testing.T, newStore func(t *testing.T) Backend) {
	tests := []struct {
		name string
		run  func(t *testing.T, b Backend)
	}{
		{"LimitThenDeny", testLimitThenDeny},
		{"KeysIndependent", testKeysIndependent},
		{"WindowEdge", testWindowEdge},
		{"SameMicrosecond", testSameMicrosecond},
		{"DeniedNotRecorded", testDeniedNotRecorded},
		{"ReferenceModel", testReferenceModel},
		{"LargeRing", testLargeRing},
		{"Concurrent", testConcurrent},
		{"LimitChange", testLimitChange},
		{"InvalidPolicy", testInvalidPolicy},
		{"CanceledContext", testCanceledContext},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newStore(t)) })
	}
}

// allow calls the store and fails the test on error.
func allow(t *testing.T, s ratelimit.Store, key string, p ratelimit.Policy) ratelimit.Result {
	t.Helper()
	r, err := s.Allow(context.Background(), key, p)
	if err != nil {
		t.Fatalf("Allow(%q, %d/%v): %v", key, p.Limit, p.Window, err)
	}
	return r
}

// check compares a store result to the model's.
func check(t *testing.T, step string, got, want ratelimit.Result) {
	t.Helper()
	if got.Allowed != want.Allowed || got.Limit != want.Limit || got.Remaining != want.Remaining ||
		!got.Reset.Equal(want.Reset) || got.RetryAfter != want.RetryAfter || !got.Time.Equal(want.Time) {
		t.Fatalf("%s: got %s, want %s", step, format(got), format(want))
	}
}

func format(r ratelimit.Result) string {
	return fmtResult(r.Allowed, r.Limit, r.Remaining, r.Reset.UnixMicro(), r.RetryAfter, r.Time.UnixMicro())
}

func testLimitThenDeny(t *testing.T, b Backend) {
	p := ratelimit.Policy{Limit: 3, Window: time.Hour}
	var m Model
	for i := range 5 {
		got := allow(t, b.Store, "k", p)
		check(t, stepName("request", i), got, m.Decide(got.Time, p.Limit, p.Window))
	}
	if got := allow(t, b.Store, "k", p); got.Allowed || got.Remaining != 0 || got.RetryAfter <= 0 {
		t.Fatalf("after the limit: got %s, want denied with remaining 0 and a positive RetryAfter", format(got))
	}
}

func testKeysIndependent(t *testing.T, b Backend) {
	p := ratelimit.Policy{Limit: 1, Window: time.Hour}
	if r := allow(t, b.Store, "a", p); !r.Allowed {
		t.Fatalf("first request for a: got denied, want allowed")
	}
	if r := allow(t, b.Store, "a", p); r.Allowed {
		t.Fatalf("second request for a: got allowed, want denied")
	}
	if r := allow(t, b.Store, "b", p); !r.Allowed || r.Remaining != 0 {
		t.Fatalf("first request for b: got %s, want allowed with remaining 0", format(r))
	}
}

func testWindowEdge(t *testing.T, b Backend) {
	if b.Advance == nil {
		testWindowEdgeRealClock(t, b)
		return
	}
	p := ratelimit.Policy{Limit: 2, Window: time.Second}
	var m Model
	steps := []struct {
		advance time.Duration
		allowed bool
	}{
		{0, true},
		{300 * time.Millisecond, true},
		{700*time.Millisecond - time.Microsecond, false}, // t0+W-1µs: both still count
		{time.Microsecond, true},                         // t0+W: the first has left
		{0, false},
		{300*time.Millisecond - time.Microsecond, false}, // t0+W+300ms-1µs
		{time.Microsecond, true},                         // t0+W+300ms
	}
	for i, st := range steps {
		b.Advance(st.advance)
		got := allow(t, b.Store, "edge", p)
		want := m.Decide(got.Time, p.Limit, p.Window)
		if want.Allowed != st.allowed {
			t.Fatalf("step %d: model says allowed=%v, test expects %v (clock did not advance as asked?)", i, want.Allowed, st.allowed)
		}
		check(t, stepName("step", i), got, want)
	}
}

// testWindowEdgeRealClock spins against the real clock across the edge of a
// short window: every decision before t0+W must be denied with the exact
// RetryAfter, and the first at or after t0+W allowed. Because denials keep
// coming until then, it also shows denied requests are not recorded.
func testWindowEdgeRealClock(t *testing.T, b Backend) {
	p := ratelimit.Policy{Limit: 2, Window: 3 * time.Millisecond}
	first := allow(t, b.Store, "edge", p)
	second := allow(t, b.Store, "edge", p)
	if !first.Allowed || !second.Allowed {
		t.Fatalf("first two requests: got %v, %v, want both allowed", first.Allowed, second.Allowed)
	}
	edge := first.Time.Add(p.Window)
	deadline := time.Now().Add(5 * time.Second)
	denied := 0
	for time.Now().Before(deadline) {
		r := allow(t, b.Store, "edge", p)
		if r.Time.Before(edge) {
			if r.Allowed || r.RetryAfter != edge.Sub(r.Time) || !r.Reset.Equal(edge) {
				t.Fatalf("at t0+%v: got %s, want denied until %d", r.Time.Sub(first.Time), format(r), edge.UnixMicro())
			}
			denied++
			continue
		}
		if !r.Allowed {
			t.Fatalf("at t0+%v (window %v): got denied, want allowed", r.Time.Sub(first.Time), p.Window)
		}
		if denied == 0 {
			t.Logf("no decision landed inside the window; the store is slower than %v per call", p.Window)
		}
		return
	}
	t.Fatalf("no decision at or after the window edge within 5s")
}

func testSameMicrosecond(t *testing.T, b Backend) {
	p := ratelimit.Policy{Limit: 4, Window: time.Minute}
	if b.Advance == nil {
		// The real clock cannot be held still: check that concurrent
		// requests, some of which share a microsecond, are all counted.
		testConcurrentCount(t, b.Store, p, 16)
		return
	}
	var times []time.Time
	for i := range p.Limit {
		r := allow(t, b.Store, "same", p)
		if !r.Allowed || r.Remaining != p.Limit-i-1 {
			t.Fatalf("request %d in one microsecond: got %s, want allowed with remaining %d", i, format(r), p.Limit-i-1)
		}
		times = append(times, r.Time)
	}
	if !times[0].Equal(times[len(times)-1]) {
		t.Fatalf("the clock moved between %v and %v; Advance must be the only thing that moves it", times[0], times[len(times)-1])
	}
	if r := allow(t, b.Store, "same", p); r.Allowed {
		t.Fatalf("request %d in one microsecond: got allowed, want denied", p.Limit)
	}
	b.Advance(p.Window - time.Microsecond)
	if r := allow(t, b.Store, "same", p); r.Allowed {
		t.Fatalf("1µs before the window ends: got allowed, want denied")
	}
	b.Advance(time.Microsecond)
	for i := range p.Limit {
		if r := allow(t, b.Store, "same", p); !r.Allowed {
			t.Fatalf("request %d once the window passed: got denied, want allowed", i)
		}
	}
}

func testDeniedNotRecorded(t *testing.T, b Backend) {
	p := ratelimit.Policy{Limit: 2, Window: time.Second}
	if b.Advance == nil {
		testWindowEdgeRealClock(t, b)
		return
	}
	var m Model
	for range 2 {
		r := allow(t, b.Store, "retry", p)
		check(t, "filling", r, m.Decide(r.Time, p.Limit, p.Window))
	}
	b.Advance(p.Window / 2)
	for i := range 50 {
		r := allow(t, b.Store, "retry", p)
		check(t, stepName("retry", i), r, m.Decide(r.Time, p.Limit, p.Window))
	}
	b.Advance(p.Window / 2)
	for i := range 2 {
		r := allow(t, b.Store, "retry", p)
		if !r.Allowed {
			t.Fatalf("request %d after the window: got denied, want allowed (denied retries were recorded?)", i)
		}
		check(t, "after the window", r, m.Decide(r.Time, p.Limit, p.Window))
	}
}

func testReferenceModel(t *testing.T, b Backend) {
	if b.Advance == nil {
		testReplayRealClock(t, b)
		return
	}
	rng := rand.New(rand.NewPCG(1, 2))
	type keyState struct {
		p ratelimit.Policy
		m Model
	}
	keys := map[string]*keyState{}
	names := []string{"m1", "m2", "m3", "m4"}
	for i, name := range names {
		limit := []int{1, 3, 7, 20}[i]
		keys[name] = &keyState{p: ratelimit.Policy{Limit: limit, Window: time.Duration(100+rng.IntN(900)) * time.Microsecond}}
	}
	for i := range 3000 {
		switch rng.IntN(4) {
		case 0: // stay in the same microsecond
		case 1:
			b.Advance(time.Microsecond)
		default:
			b.Advance(time.Duration(rng.IntN(120)) * time.Microsecond)
		}
		name := names[rng.IntN(len(names))]
		ks := keys[name]
		got := allow(t, b.Store, name, ks.p)
		check(t, stepName("decision "+name, i), got, ks.m.Decide(got.Time, ks.p.Limit, ks.p.Window))
	}
}

// testLargeRing checks limits well above a handful of entries against the
// model, so that a store keeping entries in a ring grows it, wraps it and
// drops entries from its front many times.
func testLargeRing(t *testing.T, b Backend) {
	if b.Advance == nil {
		testLargeRingRealClock(t, b)
		return
	}
	rng := rand.New(rand.NewPCG(3, 4))
	policies := map[string]ratelimit.Policy{
		"r40":  {Limit: 40, Window: 2 * time.Millisecond},
		"r100": {Limit: 100, Window: 5 * time.Millisecond},
		"r300": {Limit: 300, Window: 9 * time.Millisecond},
	}
	names := []string{"r40", "r100", "r300"}
	models := map[string]*Model{}
	for _, n := range names {
		models[n] = &Model{}
	}
	allowed := 0
	for i := range 6000 {
		if rng.IntN(200) == 0 { // now and then a pause that empties part of a window
			b.Advance(time.Duration(rng.IntN(6000)) * time.Microsecond)
		} else {
			b.Advance(time.Duration(rng.IntN(10)) * time.Microsecond)
		}
		name := names[rng.IntN(len(names))]
		p := policies[name]
		got := allow(t, b.Store, name, p)
		check(t, stepName("decision "+name, i), got, models[name].Decide(got.Time, p.Limit, p.Window))
		if got.Allowed {
			allowed++
		}
	}
	if allowed < 1000 || allowed > 5900 {
		t.Fatalf("%d of 6000 allowed; the pacing should both fill and drain the rings", allowed)
	}
}

// testLargeRingRealClock fills a 100-request window on real time, keeps
// asking while entries leave it, and replays the reported times through the
// model.
func testLargeRingRealClock(t *testing.T, b Backend) {
	p := ratelimit.Policy{Limit: 100, Window: 150 * time.Millisecond}
	var m Model
	rng := rand.New(rand.NewPCG(5, 6))
	allowed, denied := 0, 0
	start := time.Now()
	for i := 0; i < 5000 && time.Since(start) < 6*p.Window; i++ {
		if rng.IntN(100) == 0 {
			time.Sleep(time.Duration(rng.IntN(40)) * time.Millisecond)
		}
		got := allow(t, b.Store, "large", p)
		check(t, stepName("decision", i), got, m.Decide(got.Time, p.Limit, p.Window))
		if got.Allowed {
			allowed++
		} else {
			denied++
		}
	}
	// More allowed than the limit means entries left the ring's front and
	// their slots were reused.
	if allowed <= 2*p.Limit || denied == 0 {
		t.Fatalf("saw %d allowed and %d denied; want more than %d allowed and some denied", allowed, denied, 2*p.Limit)
	}
}

// testReplayRealClock makes sequential requests on real time over several
// short windows and replays their reported times through the model.
func testReplayRealClock(t *testing.T, b Backend) {
	// The window is long enough that a loaded CI machine (race detector,
	// ~1 ms per round trip) still fits more than Limit requests in one.
	p := ratelimit.Policy{Limit: 3, Window: 20 * time.Millisecond}
	var m Model
	var last time.Time
	allowed, denied := 0, 0
	start := time.Now()
	for i := 0; i < 400 || time.Since(start) < 4*p.Window; i++ {
		got := allow(t, b.Store, "replay", p)
		if got.Time.Before(last) {
			t.Fatalf("decision %d: store time went back from %d to %d", i, last.UnixMicro(), got.Time.UnixMicro())
		}
		last = got.Time
		check(t, stepName("decision", i), got, m.Decide(got.Time, p.Limit, p.Window))
		if got.Allowed {
			allowed++
		} else {
			denied++
		}
	}
	if allowed <= p.Limit || denied == 0 {
		t.Fatalf("replay saw %d allowed and %d denied; want more than %d allowed and some denied", allowed, denied, p.Limit)
	}
}

func testConcurrent(t *testing.T, b Backend) {
	testConcurrentCount(t, b.Store, ratelimit.Policy{Limit: 50, Window: time.Hour}, 64)
}

// testConcurrentCount sends 3×limit requests from workers at once and checks
// exactly limit are allowed, each with a distinct Remaining.
func testConcurrentCount(t *testing.T, s ratelimit.Store, p ratelimit.Policy, workers int) {
	t.Helper()
	total := 3 * p.Limit
	var (
		mu        sync.Mutex
		remaining = map[int]bool{}
		allowed   int
		wg        sync.WaitGroup
		firstErr  error
	)
	work := make(chan struct{}, total)
	for range total {
		work <- struct{}{}
	}
	close(work)
	for range workers {
		wg.Go(func() {
			for range work {
				r, err := s.Allow(context.Background(), "burst", p)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if err == nil && r.Allowed {
					allowed++
					remaining[r.Remaining] = true
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		t.Fatalf("Allow: %v", firstErr)
	}
	if allowed != p.Limit || len(remaining) != p.Limit {
		t.Fatalf("%d concurrent requests: got %d allowed with %d distinct remaining values, want %d and %d",
			total, allowed, len(remaining), p.Limit, p.Limit)
	}
}

func testLimitChange(t *testing.T, b Backend) {
	five := ratelimit.Policy{Limit: 5, Window: time.Hour}
	for range 3 {
		allow(t, b.Store, "change", five)
	}
	// Lowering the limit keeps the newest entries, so the count is exact.
	two := ratelimit.Policy{Limit: 2, Window: time.Hour}
	if r := allow(t, b.Store, "change", two); r.Allowed || r.Limit != 2 {
		t.Fatalf("3 requests then limit 2: got %s, want denied with limit 2", format(r))
	}
	// Raising it again starts from the newest min(count, old limit) = 2.
	ten := ratelimit.Policy{Limit: 10, Window: time.Hour}
	if r := allow(t, b.Store, "change", ten); !r.Allowed || r.Remaining != 7 {
		t.Fatalf("limit raised to 10: got %s, want allowed with remaining 7", format(r))
	}
}

func testInvalidPolicy(t *testing.T, b Backend) {
	for _, p := range []ratelimit.Policy{
		{Limit: 0, Window: time.Second},
		{Limit: -1, Window: time.Second},
		{Limit: ratelimit.MaxLimit + 1, Window: time.Second},
		{Limit: 1, Window: 0},
		{Limit: 1, Window: time.Nanosecond},
		{Limit: 1, Window: ratelimit.MaxWindow + time.Microsecond},
	} {
		_, err := b.Store.Allow(context.Background(), "invalid", p)
		if !errors.Is(err, ratelimit.ErrInvalidPolicy) {
			t.Errorf("Allow with limit %d window %v: got error %v, want ErrInvalidPolicy", p.Limit, p.Window, err)
		}
	}
}

func testCanceledContext(t *testing.T, b Backend) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := b.Store.Allow(ctx, "canceled", ratelimit.Policy{Limit: 1, Window: time.Second})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Allow with a canceled context: got error %v, want context.Canceled", err)
	}
	if r := allow(t, b.Store, "canceled", ratelimit.Policy{Limit: 1, Window: time.Second}); !r.Allowed {
		t.Fatalf("after a canceled call: got denied, want allowed (the canceled call was recorded)")
	}
}

func stepName(what string, i int) string {
	return fmt.Sprintf("%s %d", what, i)
}

func fmtResult(allowed bool, limit, remaining int, reset int64, retry time.Duration, at int64) string {
	return fmt.Sprintf("{allowed=%v limit=%d remaining=%d reset=%dµs retry=%v time=%dµs}",
		allowed, limit, remaining, reset, retry, at)
}
