package serving

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// limitedServer serves h behind a connLimiter on a loopback port.
func limitedServer(t *testing.T, max, perIP int, h http.Handler) (addr string, l *ConnLimiter) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l = NewConnLimiter(ln, max, perIP)
	srv := &http.Server{Handler: h, ConnState: l.ConnState, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), l
}

// rawConn is one client connection on which the test sends requests by
// hand, so it can keep the connection open and idle.
type rawConn struct {
	net.Conn
	r *bufio.Reader
}

func dial(t *testing.T, addr string) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawConn{Conn: c, r: bufio.NewReader(c)}
}

// get sends GET path and returns the status, or an error if the server
// closed the connection.
func (c *rawConn) get(path string) (int, error) {
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// waitIdle waits until the limiter has seen n connections go idle.
func waitIdle(t *testing.T, l *ConnLimiter, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		l.mu.Lock()
		idle := 0
		for _, c := range l.conns {
			if !c.idle.IsZero() {
				idle++
			}
		}
		l.mu.Unlock()
		if idle >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections idle, want %d", idle, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// At the cap, idle connections make room for new ones: an idle flood
// never keeps a new client (a health check) out.
func TestConnLimiterReplacesIdleConnections(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	addr, l := limitedServer(t, 4, 0, ok)
	var idle []*rawConn
	for i := range 4 {
		c := dial(t, addr)
		if code, err := c.get("/"); err != nil || code != 200 {
			t.Fatalf("filling: %d, %v", code, err)
		}
		idle = append(idle, c)
		waitIdle(t, l, i+1) // so idle[0] is the longest idle
	}
	for i := range 10 { // ten new clients, one after another
		c := dial(t, addr)
		if code, err := c.get("/health"); err != nil || code != 200 {
			t.Fatalf("new client %d at the cap: %d, %v; want 200", i, code, err)
		}
		c.Close()
		waitOpen(t, l, 3) // the server has seen the close
	}
	if n := l.open(); n > 4 {
		t.Fatalf("%d connections open, cap 4", n)
	}
	if _, err := idle[0].get("/"); err == nil {
		t.Fatal("the longest-idle connection still works; want it closed to make room")
	}
}

// When every connection is busy, a new one is refused at once (closed),
// not queued.
func TestConnLimiterRefusesWhenAllBusy(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 8)
	busy := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			entered <- struct{}{}
			<-release
		}
	})
	addr, l := limitedServer(t, 2, 0, busy)
	done := make(chan error, 2)
	for range 2 {
		c := dial(t, addr)
		go func() { _, err := c.get("/slow"); done <- err }()
		<-entered
	}
	c := dial(t, addr)
	began := time.Now()
	if code, err := c.get("/health"); err == nil {
		t.Fatalf("a third connection with two busy at cap 2 was served (%d)", code)
	}
	if d := time.Since(began); d > 2*time.Second {
		t.Fatalf("refusal took %v; want it at once", d)
	}
	close(release)
	for range 2 {
		if err := <-done; err != nil {
			t.Fatalf("busy request: %v", err)
		}
	}
	// The server marks a connection idle after it has sent the response,
	// which the client may read first.
	waitIdle(t, l, 2)
	if code, err := dial(t, addr).get("/health"); err != nil || code != 200 {
		t.Fatalf("after the busy requests finished: %d, %v", code, err)
	}
}

// The per-address cap refuses an address's extra connection while its
// others are busy, and replaces its own idle ones.
func TestConnLimiterPerIP(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 8)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			entered <- struct{}{}
			<-release
		}
	})
	addr, l := limitedServer(t, 100, 2, h)
	a, b := dial(t, addr), dial(t, addr)
	a.get("/")
	b.get("/")
	waitIdle(t, l, 2)
	if code, err := dial(t, addr).get("/"); err != nil || code != 200 {
		t.Fatalf("third connection with two idle: %d, %v; want 200 (an idle one replaced)", code, err)
	}
	waitIdle(t, l, 2) // the third is idle too now
	c1, c2 := dial(t, addr), dial(t, addr)
	done := make(chan error, 2)
	for _, c := range []*rawConn{c1, c2} {
		go func() { _, err := c.get("/slow"); done <- err }()
		<-entered
	}
	if _, err := dial(t, addr).get("/"); err == nil {
		t.Fatal("a connection over the per-address cap with all busy was served")
	}
	close(release)
	<-done
	<-done
}

// waitOpen waits until the limiter holds at most n connections.
func waitOpen(t *testing.T, l *ConnLimiter, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for l.open() > n {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections open, want at most %d", l.open(), n)
		}
		time.Sleep(time.Millisecond)
	}
}
