package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
)

func TestSlowProxyDelaysRedisReplies(t *testing.T) {
	mini := miniredis.RunT(t)
	const delay = 150 * time.Millisecond
	p, err := newSlowProxy("127.0.0.1:0", mini.Addr(), delay)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	c, err := net.DialTimeout("tcp", p.Addr(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(c)
	for round := range 2 {
		start := time.Now()
		// Two pipelined commands: both answered, in order, after the delay.
		if _, err := io.WriteString(c, "*2\r\n$4\r\nECHO\r\n$1\r\na\r\n*2\r\n$4\r\nECHO\r\n$1\r\nb\r\n"); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"$1\r\n", "a\r\n", "$1\r\n", "b\r\n"} {
			got, err := br.ReadString('\n')
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			if got != want {
				t.Fatalf("round %d: got %q, want %q", round, got, want)
			}
		}
		if got := time.Since(start); got < delay {
			t.Errorf("round %d: replies after %v, want at least %v", round, got, delay)
		}
	}
}

func TestSlowProxyLoopbackOnly(t *testing.T) {
	for _, tc := range []struct{ addr, upstream string }{
		{"0.0.0.0:0", "127.0.0.1:6379"},
		{"127.0.0.1:0", "10.0.0.1:6379"},
		{"127.0.0.1:0", "redis:6379"},
	} {
		if p, err := newSlowProxy(tc.addr, tc.upstream, 0); err == nil {
			p.Close()
			t.Errorf("newSlowProxy(%q, %q): got no error, want one", tc.addr, tc.upstream)
		}
	}
}

func TestParseDecisions(t *testing.T) {
	const text = `# HELP groundwork_ratelimit_decisions_total Rate-limit decisions.
# TYPE groundwork_ratelimit_decisions_total counter
groundwork_ratelimit_decisions_total{outcome="allowed",policy="strict"} 10
groundwork_ratelimit_decisions_total{outcome="failed_open",policy="strict"} 1042
groundwork_ratelimit_decisions_total{outcome="denied",policy="lenient"} 3e+06
groundwork_http_requests_total{code="200",method="GET",route="/health"} 7
`
	got := map[string]float64{"strict_allowed": 5} // a second instance's page adds up
	if err := parseDecisions(strings.NewReader(text), got); err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"strict_allowed": 15, "strict_failed_open": 1042, "lenient_denied": 3e6}
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %v, want %v", k, got[k], v)
		}
	}
}

func TestProcCPUGrowsWithWork(t *testing.T) {
	before, err := procCPU(os.Getpid(), 100)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	x := 0
	for time.Now().Before(deadline) {
		for i := range 1_000_000 {
			x ^= i * i
		}
		now, err := procCPU(os.Getpid(), 100)
		if err != nil {
			t.Fatal(err)
		}
		if now-before >= 50*time.Millisecond {
			return
		}
	}
	t.Fatalf("10 s of spinning (%d) added less than 50 ms of CPU time", x)
}

func TestBogusTokenIsWellFormed(t *testing.T) {
	for _, n := range []int{200, 4096, 28672} {
		tok := bogusToken(n)
		if len(tok) < n-3 || len(tok) > n {
			t.Errorf("bogusToken(%d): got %d bytes, want %d-%d", n, len(tok), n-3, n)
		}
		parts := strings.Split(tok, ".")
		if len(parts) != 3 {
			t.Fatalf("bogusToken(%d): %d parts, want 3", n, len(parts))
		}
		var header, claims map[string]any
		for i, dst := range []*map[string]any{&header, &claims} {
			b, err := base64.RawURLEncoding.DecodeString(parts[i])
			if err != nil {
				t.Fatalf("bogusToken(%d) part %d: %v", n, i, err)
			}
			if err := json.Unmarshal(b, dst); err != nil {
				t.Fatalf("bogusToken(%d) part %d: %v", n, i, err)
			}
		}
		if header["alg"] != "HS256" || claims["sub"] != "1" || claims["exp"] == nil {
			t.Errorf("bogusToken(%d): header %v, claims sub %v exp %v", n, header, claims["sub"], claims["exp"])
		}
	}
}

func TestForwardedIPsAreDistinct(t *testing.T) {
	_, private, _ := net.ParseCIDR("10.0.0.0/8")
	seen := map[string]bool{}
	for n := range int64(200_000) {
		s := forwardedIP(n)
		if ip := net.ParseIP(s); ip == nil || !private.Contains(ip) {
			t.Fatalf("forwardedIP(%d) = %q, want an address in 10.0.0.0/8", n, s)
		}
		if seen[s] {
			t.Fatalf("forwardedIP(%d) = %q, seen before", n, s)
		}
		seen[s] = true
	}
}

// TestFloodCountsOutcomes floods a server that answers by the request's
// sequence number: 503 with Retry-After, 503 without, 401, or a hang past
// the client's deadline.
func TestFloodCountsOutcomes(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		if got, want := r.Header.Get("X-Forwarded-For"), forwardedIP(int64(n)); got != want {
			t.Errorf("request %d: X-Forwarded-For %q, want %q", n, got, want)
		}
		switch n % 4 {
		case 0:
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(503)
		case 1:
			w.WriteHeader(503)
		case 2:
			w.WriteHeader(401)
		case 3:
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	target, _ := url.Parse(srv.URL)
	s := flood(t.Context(), target, floodOptions{conns: 8, duration: time.Minute, timeout: 300 * time.Millisecond, requests: 80},
		func(seq int64) []byte {
			return withHeader(getRequest(target.Host, "/?n="+strconv.FormatInt(seq, 10), ""), "X-Forwarded-For", forwardedIP(seq))
		})
	for _, c := range []struct {
		name      string
		got, want uint64
	}{
		{"requests", s.requests(), 80},
		{"503", s.status[503], 40},
		{"503 with Retry-After", s.retry503, 20},
		{"401", s.status[401], 20},
		{"timeouts", s.timeouts, 20},
		{"other socket errors", s.errors, 0},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, c.got, c.want)
		}
	}
}

// TestIdleFloodSeesServerClosures holds idle connections against servers
// that keep them and that close them after a short idle time.
func TestIdleFloodSeesServerClosures(t *testing.T) {
	for _, tc := range []struct {
		name       string
		idle       time.Duration
		held, shut float64
	}{
		{"kept", time.Minute, 20, 0},
		{"closed", 100 * time.Millisecond, 0, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/health" {
					http.NotFound(w, r)
				}
			}))
			srv.Config.IdleTimeout = tc.idle
			srv.Start()
			t.Cleanup(srv.Close)
			f := &flags{target: srv.URL, conns: 20, duration: time.Second, timeout: time.Second, every: 100 * time.Millisecond}
			target, _ := url.Parse(srv.URL)
			res := newAttackResult(f, target)
			if err := idleFlood(t.Context(), f, target, res); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				name string
				want float64
			}{{"idle_held_to_end", tc.held}, {"idle_closed_by_server", tc.shut}, {"idle_open_failed", 0}, {"health_failed", 0}} {
				if got := res.Figures[c.name]; got != c.want {
					t.Errorf("%s: got %v, want %v", c.name, got, c.want)
				}
			}
			if res.Figures["health_ok"] < 5 {
				t.Errorf("health_ok: got %v, want about 10", res.Figures["health_ok"])
			}
		})
	}
}

func TestFloodSpreadsConnectionsOverAddrs(t *testing.T) {
	var seen [2]atomic.Int64
	var addrs []string
	for i := range seen {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen[i].Add(1) }))
		t.Cleanup(srv.Close)
		addrs = append(addrs, strings.TrimPrefix(srv.URL, "http://"))
	}
	target, _ := url.Parse("http://" + addrs[0])
	s := flood(t.Context(), target, floodOptions{conns: 4, duration: time.Minute, timeout: time.Second, requests: 40, addrs: addrs},
		func(int64) []byte { return getRequest(target.Host, "/", "") })
	if got := s.status[200]; got != 40 {
		t.Errorf("200 answers: got %d, want 40", got)
	}
	if a, b := seen[0].Load(), seen[1].Load(); a == 0 || b == 0 || a+b != 40 {
		t.Errorf("requests per server: got %d and %d, want both some, 40 in all", a, b)
	}
}
