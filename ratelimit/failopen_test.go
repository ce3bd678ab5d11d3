package ratelimit_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/rueidis"

	"github.com/groundwork-go/groundwork/internal/redisconn"
	"github.com/groundwork-go/groundwork/ratelimit"
)

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
		{"hung redis", func(t *testing.T) rueidis.Client {
			mini := miniredis.RunT(t)
			proxy := newFreezableProxy(t, mini.Addr())
			c := connect(t, proxy.ln.Addr().String())
			if err := c.Do(context.Background(), c.B().Ping().Build()).Error(); err != nil {
				t.Fatalf("PING through the proxy before freezing: %v", err)
			}
			proxy.freeze()
			return c
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			var observed []ratelimit.Outcome
			l := ratelimit.New(ratelimit.NewRedisStore(tc.break_(t), ratelimit.RedisOptions{}), ratelimit.Options{
				Timeout:    timeout,
				Logger:     slog.New(slog.NewTextHandler(&logs, nil)),
				OnDecision: func(_ ratelimit.Policy, o ratelimit.Outcome) { observed = append(observed, o) },
			})
			p := ratelimit.Policy{Name: "t", Limit: 1, Window: time.Minute}
			const requests = 10
			for i := range requests {
				began := time.Now()
				r, outcome := l.Allow(context.Background(), "203.0.113.9", p)
				elapsed := time.Since(began)
				if outcome != ratelimit.OutcomeFailedOpen || !r.Allowed {
					t.Fatalf("request %d: got %v (allowed=%v), want failed_open and allowed", i, outcome, r.Allowed)
				}
				// Bounded by the timeout, with slack for a loaded CI machine,
				// and far below the 2 s connection timeouts.
				if elapsed > timeout+150*time.Millisecond {
					t.Fatalf("request %d took %v, want at most about the %v timeout", i, elapsed, timeout)
				}
			}
			if got := l.Stats(); got.FailedOpen != requests || got.Allowed != 0 || got.Denied != 0 {
				t.Fatalf("Stats: got %+v, want %d failed open", got, requests)
			}
			if len(observed) != requests || observed[0] != ratelimit.OutcomeFailedOpen {
				t.Fatalf("OnDecision saw %v, want %d failed_open", observed, requests)
			}
			if n := strings.Count(logs.String(), "store failed"); n != 1 {
				t.Fatalf("fail-open log lines: got %d, want 1 (later failures are counted, not logged)\n%s", n, logs.String())
			}
			if strings.Contains(logs.String(), "203.0.113.9") {
				t.Fatalf("the log names the client key: %s", logs.String())
			}
		})
	}
}
