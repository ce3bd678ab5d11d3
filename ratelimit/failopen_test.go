package ratelimit_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/rueidis"

	"github.com/groundwork-go/groundwork/internal/redisconn"
	"github.com/groundwork-go/groundwork/ratelimit"
)

// latencySlack is what a loaded CI machine may add to a fail-open timeout;
// the bound asserted stays far below the 2 s connection timeouts.
const latencySlack = 250 * time.Millisecond

// freezableProxy forwards TCP connections to a backend until frozen; after
// that it accepts connections and holds every byte without answering, like
// a Redis that hangs.
type freezableProxy struct {
	ln      net.Listener
	backend string
	mu      sync.Mutex
	frozen  bool
	conns   []net.Conn
}

func newFreezableProxy(t *testing.T, backend string) *freezableProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &freezableProxy{ln: ln, backend: backend}
	go p.serve()
	t.Cleanup(p.close)
	return p
}

func (p *freezableProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		p.conns = append(p.conns, c)
		frozen := p.frozen
		p.mu.Unlock()
		if frozen {
			go io.Copy(io.Discard, c) // read and never answer
			continue
		}
		go p.forward(c)
	}
}

func (p *freezableProxy) forward(c net.Conn) {
	b, err := net.Dial("tcp", p.backend)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, b)
	p.mu.Unlock()
	go p.pump(b, c)
	p.pump(c, b)
}

// pump copies src to dst while the proxy is not frozen.
func (p *freezableProxy) pump(dst, src net.Conn) {
	buf := make([]byte, 32*1024)
	for {
		n, err := src.Read(buf)
		if err != nil {
			return
		}
		p.mu.Lock()
		frozen := p.frozen
		p.mu.Unlock()
		if frozen {
			continue
		}
		if _, err := dst.Write(buf[:n]); err != nil {
			return
		}
	}
}

func (p *freezableProxy) freeze() {
	p.mu.Lock()
	p.frozen = true
	p.mu.Unlock()
}

func (p *freezableProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
}

// hungClient returns a client connected (through a freezableProxy) to a
// Redis that then stops answering.
func hungClient(t *testing.T) rueidis.Client {
	t.Helper()
	mini := miniredis.RunT(t)
	proxy := newFreezableProxy(t, mini.Addr())
	c := connect(t, proxy.ln.Addr().String())
	if err := c.Do(context.Background(), c.B().Ping().Build()).Error(); err != nil {
		t.Fatalf("PING through the proxy before freezing: %v", err)
	}
	proxy.freeze()
	return c
}

// connect returns a client of addr with the application's defaults
// (redisconn: 2 s dial and write timeouts), closed when the test ends.
func connect(t *testing.T, addr string) rueidis.Client {
	t.Helper()
	opt, err := redisconn.Options("redis://" + addr + "?client_cache=0")
	if err != nil {
		t.Fatal(err)
	}
	// miniredis answers CLUSTER SLOTS with its own address, which would let
	// rueidis bypass the proxy.
	opt.ForceSingleClient = true
	c, err := rueidis.NewClient(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func TestFailOpen(t *testing.T) {
	const timeout = 40 * time.Millisecond
	tests := []struct {
		name   string
		break_ func(t *testing.T) rueidis.Client // returns a client whose server then fails
	}{
		{"stopped redis", func(t *testing.T) rueidis.Client {
			mini := miniredis.RunT(t)
			c := connect(t, mini.Addr())
			mini.Close()
			return c
		}},
		{"hung redis", hungClient},
	}
	variants := []struct {
		name string
		opts ratelimit.RedisOptions
	}{
		{"", ratelimit.RedisOptions{}},
		{", dedicated client", ratelimit.RedisOptions{DedicatedClient: true}},
		{", batched", ratelimit.RedisOptions{Batch: true}},
	}
	for _, tc := range tests {
		for _, v := range variants {
			t.Run(tc.name+v.name, func(t *testing.T) {
				testFailOpen(t, tc.break_(t), v.opts, timeout)
			})
		}
	}
}

func testFailOpen(t *testing.T, client rueidis.Client, opts ratelimit.RedisOptions, timeout time.Duration) {
	t.Helper()
	var logs bytes.Buffer
	var observed []ratelimit.Outcome
	p := ratelimit.Policy{Name: "t", Limit: 1, Window: time.Minute}
	l := ratelimit.New(ratelimit.NewRedisStore(client, opts), ratelimit.Options{
		Timeout: timeout,
		Logger:  slog.New(slog.NewTextHandler(&logs, nil)),
		OnEvent: func(e ratelimit.Event) {
			if e.Kind != ratelimit.EventDecision || e.Policy != p {
				t.Errorf("OnEvent: got %s of %+v, want a decision of %+v", e.Kind, e.Policy, p)
			}
			observed = append(observed, e.Outcome)
		},
	})
	const requests = 10
	for i := range requests {
		began := time.Now()
		r, outcome := l.Allow(context.Background(), "203.0.113.9", p)
		elapsed := time.Since(began)
		if outcome != ratelimit.OutcomeFailedOpen || !r.Allowed {
			t.Fatalf("request %d: got %v (allowed=%v), want failed_open and allowed", i, outcome, r.Allowed)
		}
		if elapsed > timeout+latencySlack {
			t.Fatalf("request %d took %v, want at most about the %v timeout", i, elapsed, timeout)
		}
	}
	if got := l.Stats(); got.FailedOpen != requests || got.Allowed != 0 || got.Denied != 0 {
		t.Fatalf("Stats: got %+v, want %d failed open", got, requests)
	}
	if len(observed) != requests || observed[0] != ratelimit.OutcomeFailedOpen {
		t.Fatalf("OnEvent saw %v, want %d failed_open", observed, requests)
	}
	if n := strings.Count(logs.String(), "store failed"); n != 1 {
		t.Fatalf("fail-open log lines: got %d, want 1 (later failures are counted, not logged)\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), "203.0.113.9") {
		t.Fatalf("the log names the client key: %s", logs.String())
	}
}

// blackholeDialer dials normally until broken; then each dial hangs as a
// connection attempt to a blackholed address does, until the caller's
// context ends or a 1 s dial timeout passes.
type blackholeDialer struct {
	mu      sync.Mutex
	broken  bool
	conns   []net.Conn
	dialing chan struct{} // receives when a hanging dial starts
}

func (d *blackholeDialer) dial(ctx context.Context, dst string, dialer *net.Dialer, _ *tls.Config) (net.Conn, error) {
	d.mu.Lock()
	broken := d.broken
	d.mu.Unlock()
	if broken {
		select {
		case d.dialing <- struct{}{}:
		default:
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
			return nil, errors.New("dial timeout")
		}
	}
	c, err := dialer.DialContext(ctx, "tcp", dst)
	if err == nil {
		d.mu.Lock()
		d.conns = append(d.conns, c)
		d.mu.Unlock()
	}
	return c, err
}

// breakNetwork makes new dials hang and drops the open connections.
func (d *blackholeDialer) breakNetwork() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.broken = true
	for _, c := range d.conns {
		c.Close()
	}
}

// blackholeClient returns a client of a fresh miniredis that dials through
// a blackholeDialer, and the dialer, closed when the test ends.
func blackholeClient(t *testing.T) (rueidis.Client, *blackholeDialer) {
	t.Helper()
	mini := miniredis.RunT(t)
	d := &blackholeDialer{dialing: make(chan struct{}, 1)}
	c, err := rueidis.NewClient(rueidis.ClientOption{
		InitAddress: []string{mini.Addr()}, DisableCache: true, ForceSingleClient: true, DialCtxFn: d.dial,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c, d
}

// While another user of the shared client (without a deadline) is stuck
// reconnecting, limiter calls must still give up after their own timeout.
func TestFailOpenWhileSharedClientReconnects(t *testing.T) {
	const timeout = 40 * time.Millisecond
	c, d := blackholeClient(t)
	store := ratelimit.NewRedisStore(c, ratelimit.RedisOptions{})
	l := ratelimit.New(store, ratelimit.Options{Timeout: timeout, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	p := ratelimit.Policy{Name: "p", Limit: 10, Window: time.Minute}
	// Load the script and open the connection, with no timeout involved.
	if r, err := store.Allow(context.Background(), "p:k", p); err != nil || !r.Allowed {
		t.Fatalf("before the outage: got %+v, %v; want allowed", r, err)
	}

	d.breakNetwork()
	// Another user of the client, without a deadline, reads the limiter's
	// key (so both use the same pipeline) until its call starts the
	// reconnect.
	// Its context has no deadline; it is canceled only to end the test
	// (rueidis retries reads until then).
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			c.Do(ctx, c.B().Get().Key(ratelimit.DefaultRedisPrefix+"p:k").Build())
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	<-d.dialing

	began := time.Now()
	_, outcome := l.Allow(context.Background(), "k", p)
	if elapsed := time.Since(began); outcome != ratelimit.OutcomeFailedOpen || elapsed > timeout+latencySlack {
		t.Fatalf("during the reconnect: got %v after %v, want failed_open within about %v", outcome, elapsed, timeout)
	}
}

// On a dedicated client every caller is a Limiter, so a reconnect into a
// blackholed network is started under a Limiter's deadline and every
// concurrent decision waiting for it fails open within its timeout, though
// none runs in a goroutine of its own.
func TestFailOpenOwnClientReconnects(t *testing.T) {
	t.Run("dedicated client", func(t *testing.T) {
		testFailOpenWhileReconnecting(t, ratelimit.RedisOptions{DedicatedClient: true})
	})
	t.Run("batched", func(t *testing.T) { testFailOpenWhileReconnecting(t, ratelimit.RedisOptions{Batch: true}) })
}

// testFailOpenWhileReconnecting checks that concurrent Limiter calls on a
// client that only they use fail open within the timeout while the client
// cannot reconnect.
func testFailOpenWhileReconnecting(t *testing.T, opts ratelimit.RedisOptions) {
	const timeout = 40 * time.Millisecond
	c, d := blackholeClient(t)
	l := ratelimit.New(ratelimit.NewRedisStore(c, opts),
		ratelimit.Options{Timeout: timeout, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	p := ratelimit.Policy{Name: "p", Limit: 1000, Window: time.Minute}
	if _, outcome := l.Allow(context.Background(), "k", p); outcome != ratelimit.OutcomeAllowed {
		t.Fatalf("before the outage: got %v, want allowed", outcome)
	}

	d.breakNetwork()
	for round := range 3 {
		const callers = 16
		var wg sync.WaitGroup
		errs := make(chan string, callers)
		for i := range callers {
			wg.Go(func() {
				began := time.Now()
				_, outcome := l.Allow(context.Background(), "k", p)
				if elapsed := time.Since(began); outcome != ratelimit.OutcomeFailedOpen || elapsed > timeout+latencySlack {
					errs <- fmt.Sprintf("round %d caller %d: got %v after %v, want failed_open within about %v", round, i, outcome, elapsed, timeout)
				}
			})
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
	}
	if got := l.Stats(); got.FailedOpen != 48 {
		t.Fatalf("Stats: got %+v, want 48 failed open", got)
	}
}

// With batching, no timer is made per decision: one watchdog answers every
// outstanding decision at its own deadline (not before, and not much after),
// whether its batch is in flight or queued behind one that hangs, for
// Limiters with different timeouts on one store and for direct calls bounded
// by their context; then it stops.
func TestFailOpenBatchedAtEachDeadline(t *testing.T) {
	store := ratelimit.NewRedisStore(hungClient(t), ratelimit.RedisOptions{Batch: true})
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	const short, long, byContext = 30 * time.Millisecond, 90 * time.Millisecond, 60 * time.Millisecond
	limiters := map[time.Duration]*ratelimit.Limiter{
		short: ratelimit.New(store, ratelimit.Options{Timeout: short, Logger: quiet}),
		long:  ratelimit.New(store, ratelimit.Options{Timeout: long, Logger: quiet}),
	}
	p := ratelimit.Policy{Name: "p", Limit: 10, Window: time.Second}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for wave := range 2 {
		for i := range 24 {
			want := []time.Duration{short, long, byContext}[i%3]
			wg.Go(func() {
				key := fmt.Sprintf("k%d", i)
				began := time.Now()
				var failed bool
				if l := limiters[want]; l != nil {
					_, outcome := l.Allow(context.Background(), key, p)
					failed = outcome == ratelimit.OutcomeFailedOpen
				} else {
					ctx, cancel := context.WithTimeout(context.Background(), want)
					defer cancel()
					_, err := store.Allow(ctx, key, p)
					failed = errors.Is(err, context.DeadlineExceeded)
				}
				if elapsed := time.Since(began); !failed || elapsed < want-time.Millisecond || elapsed > want+latencySlack {
					errs <- fmt.Sprintf("wave %d decision %d (bound %v): failed=%v after %v", wave, i, want, failed, elapsed)
				}
			})
		}
		time.Sleep(10 * time.Millisecond) // the second wave queues behind the hung first batch
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if store.WatchdogArmed() {
		t.Error("the watchdog is still armed with nothing outstanding")
	}
}

// stuckStore blocks every call until released, ignoring its context.
type stuckStore struct {
	calls   atomic.Int64
	entered chan struct{}
	release chan struct{}
}

func (s *stuckStore) Allow(context.Context, string, ratelimit.Policy) (ratelimit.Result, error) {
	s.calls.Add(1)
	s.entered <- struct{}{}
	<-s.release
	return ratelimit.Result{Allowed: true}, nil
}

func TestFailOpenStoreIgnoringContext(t *testing.T) {
	const timeout = 20 * time.Millisecond
	store := &stuckStore{entered: make(chan struct{}, 10), release: make(chan struct{})}
	t.Cleanup(func() { close(store.release) })
	l := ratelimit.New(store, ratelimit.Options{
		Timeout: timeout, MaxPending: 2, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	p := ratelimit.Policy{Limit: 1, Window: time.Minute}
	for i := range 4 {
		began := time.Now()
		_, outcome := l.Allow(context.Background(), "k", p)
		if elapsed := time.Since(began); outcome != ratelimit.OutcomeFailedOpen || elapsed > timeout+latencySlack {
			t.Fatalf("request %d: got %v after %v, want failed_open within about %v", i, outcome, elapsed, timeout)
		}
	}
	// Two calls are stuck in the store; the others failed open without
	// adding to them.
	<-store.entered
	<-store.entered
	if got := store.calls.Load(); got != 2 {
		t.Fatalf("store calls: got %d, want 2 (MaxPending)", got)
	}
}

// The strict tier holds with a stalled Redis: every decision times out, and
// the fallback store lets exactly Limit of a flood through, while the
// default tier keeps failing open.
func TestStrictTierHoldsWithStalledRedis(t *testing.T) {
	for _, v := range []struct {
		name string
		opts ratelimit.RedisOptions
	}{
		{"plain", ratelimit.RedisOptions{}},
		{"batched", ratelimit.RedisOptions{Batch: true}},
	} {
		t.Run(v.name, func(t *testing.T) {
			store := ratelimit.NewRedisStore(hungClient(t), v.opts)
			l := ratelimit.New(store, ratelimit.Options{Timeout: 20 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			tiers := ratelimit.NewTiers(10, 100, 1000, 300, time.Minute)
			tests := []struct {
				p           ratelimit.Policy
				wantAllowed int64
			}{
				{tiers.Strict, int64(tiers.Strict.Limit)},
				{tiers.Default, 200}, // fails open: everything passes
			}
			for _, tc := range tests {
				var allowed atomic.Int64
				var wg sync.WaitGroup
				work := make(chan struct{}, 200)
				for range 200 {
					work <- struct{}{}
				}
				close(work)
				for range 64 {
					wg.Go(func() {
						for range work {
							if r, _ := l.Allow(context.Background(), "ip:198.51.100.7", tc.p); r.Allowed {
								allowed.Add(1)
							}
						}
					})
				}
				wg.Wait()
				if got := allowed.Load(); got != tc.wantAllowed {
					t.Errorf("%s tier, 200 concurrent requests with Redis stalled: got %d allowed, want %d", tc.p.Name, got, tc.wantAllowed)
				}
			}
			want := ratelimit.Stats{FailedOpen: 200, FallbackAllowed: 10, FallbackDenied: 190}
			if got := l.Stats(); got != want {
				t.Fatalf("Stats: got %+v, want %+v", got, want)
			}
		})
	}
}

// flakyStore answers from a memory store until broken, then fails.
type flakyStore struct {
	ratelimit.Store
	broken atomic.Bool
}

func (s *flakyStore) Allow(ctx context.Context, key string, p ratelimit.Policy) (ratelimit.Result, error) {
	if s.broken.Load() {
		return ratelimit.Result{}, errors.New("connection refused")
	}
	return s.Store.Allow(ctx, key, p)
}

// Requests the store allowed count in the fallback: a store that fails
// midway does not give a client Limit more.
func TestFailLocalCountsStoreAllowed(t *testing.T) {
	store := &flakyStore{Store: ratelimit.NewMemoryStore(ratelimit.MemoryOptions{})}
	l := ratelimit.New(store, ratelimit.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	p := ratelimit.Policy{Name: "login", Limit: 10, Window: time.Minute, Fail: ratelimit.FailLocal}
	allowed := 0
	for i := range 30 {
		if i == 6 {
			store.broken.Store(true)
		}
		if r, _ := l.Allow(context.Background(), "ip:192.0.2.1", p); r.Allowed {
			allowed++
		}
	}
	want := ratelimit.Stats{Allowed: 6, FallbackAllowed: 4, FallbackDenied: 20}
	if got := l.Stats(); allowed != p.Limit || got != want {
		t.Fatalf("6 requests allowed by the store, then 24 while it fails: got %d allowed, %+v; want %d, %+v", allowed, got, p.Limit, want)
	}
}

func TestFailModeString(t *testing.T) {
	for m, want := range map[ratelimit.FailMode]string{ratelimit.FailOpen: "open", ratelimit.FailLocal: "local", ratelimit.FailClosed: "closed", 9: "unknown"} {
		if got := m.String(); got != want {
			t.Errorf("FailMode(%d).String(): got %q, want %q", int(m), got, want)
		}
	}
	for o, want := range map[ratelimit.Outcome]string{
		ratelimit.OutcomeAllowed: "allowed", ratelimit.OutcomeDenied: "denied", ratelimit.OutcomeFailedOpen: "failed_open",
		ratelimit.OutcomeFallbackAllowed: "fallback_allowed", ratelimit.OutcomeFallbackDenied: "fallback_denied",
		ratelimit.OutcomeFailedClosed: "failed_closed", -1: "unknown", 99: "unknown",
	} {
		if got := o.String(); got != want {
			t.Errorf("Outcome(%d).String(): got %q, want %q", int(o), got, want)
		}
	}
}
