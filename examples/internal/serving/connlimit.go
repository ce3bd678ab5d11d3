package serving

import (
	"net"
	"net/http"
	"net/netip"
	"sync"
	"syscall"
	"time"
)

// ConnLimiter caps the connections a listener holds open, in all and per
// client address, so idle keep-alive connections cannot exhaust the
// process's file descriptors. At the cap, a new connection first takes the
// place of the connection that has been idle longest (closing it costs its
// client nothing but a reconnect); only when every connection is busy is
// the new one refused. So a flood of idle connections never keeps a health
// check, or any new client, from being served.
//
// It wraps the listener (Accept) and watches the server's connection states
// (ConnState), which is how it knows which connections are idle.
type ConnLimiter struct {
	net.Listener
	max, perIP int // perIP 0: no per-address cap

	mu    sync.Mutex
	conns map[net.Conn]*trackedConn
	byIP  map[netip.Addr]int
}

// trackedConn is one open connection.
type trackedConn struct {
	net.Conn
	limiter *ConnLimiter
	ip      netip.Addr
	idle    time.Time // zero while a request is in flight (or none came yet)
	once    sync.Once
}

// NewConnLimiter wraps ln. max must be positive; perIP 0 turns the
// per-address cap off. Set the server's ConnState to its ConnState.
func NewConnLimiter(ln net.Listener, max, perIP int) *ConnLimiter {
	return &ConnLimiter{Listener: ln, max: max, perIP: perIP,
		conns: map[net.Conn]*trackedConn{}, byIP: map[netip.Addr]int{}}
}

// Accept returns the next connection the caps allow, closing idle
// connections to make room, or refused ones at once.
func (l *ConnLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if tc := l.admit(c); tc != nil {
			return tc, nil
		}
		c.Close() // over a cap with nothing idle to close
	}
}

// admit records c if the caps allow it (closing the longest-idle
// connection of its address, or of all, to make room) and returns its
// tracked form, or nil.
func (l *ConnLimiter) admit(c net.Conn) *trackedConn {
	ip := remoteIP(c)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.perIP > 0 && l.byIP[ip] >= l.perIP && !l.evictIdleLocked(func(t *trackedConn) bool { return t.ip == ip }) {
		return nil
	}
	if len(l.conns) >= l.max && !l.evictIdleLocked(func(*trackedConn) bool { return true }) {
		return nil
	}
	tc := &trackedConn{Conn: c, limiter: l, ip: ip}
	l.conns[tc] = tc
	l.byIP[ip]++
	return tc
}

// evictIdleLocked closes the longest-idle connection that match accepts
// and reports whether there was one.
func (l *ConnLimiter) evictIdleLocked(match func(*trackedConn) bool) bool {
	var oldest *trackedConn
	for _, t := range l.conns {
		if !t.idle.IsZero() && match(t) && (oldest == nil || t.idle.Before(oldest.idle)) {
			oldest = t
		}
	}
	if oldest == nil {
		return false
	}
	l.forgetLocked(oldest)
	// Closed now, not later: the new connection already holds a descriptor,
	// and closes left pending would let a burst of connects overshoot the
	// cap (and the process's descriptor limit). Closing a TCP connection
	// does not block; the server's goroutine for it sees the read fail.
	oldest.Conn.Close()
	return true
}

func (l *ConnLimiter) forgetLocked(t *trackedConn) {
	if _, ok := l.conns[t]; !ok {
		return
	}
	delete(l.conns, t)
	if l.byIP[t.ip]--; l.byIP[t.ip] <= 0 {
		delete(l.byIP, t.ip)
	}
}

// ConnState is the http.Server hook that tells idle connections from busy
// ones and forgets closed ones.
func (l *ConnLimiter) ConnState(c net.Conn, state http.ConnState) {
	t, ok := c.(*trackedConn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch state {
	case http.StateIdle:
		t.idle = time.Now()
	case http.StateActive, http.StateNew:
		t.idle = time.Time{}
	case http.StateClosed, http.StateHijacked:
		l.forgetLocked(t)
	}
}

// Close forgets the connection, then closes it.
func (t *trackedConn) Close() error {
	t.once.Do(func() {
		t.limiter.mu.Lock()
		t.limiter.forgetLocked(t)
		t.limiter.mu.Unlock()
	})
	return t.Conn.Close()
}

// open reports how many connections are held (for tests).
func (l *ConnLimiter) open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns)
}

func remoteIP(c net.Conn) netip.Addr {
	if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}

// DefaultMaxConnections is the connection cap to use when none is set:
// the process's file-descriptor limit less a reserve for the database,
// Redis, log files and outgoing calls, or 1,024 if the limit is unknown.
func DefaultMaxConnections() int {
	const reserve = 256
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur <= 2*reserve {
		return 1024
	}
	return int(min(rl.Cur-reserve, 1<<20))
}
