package main

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// tcpProxy forwards loopback TCP connections to an upstream server and can
// be stopped (listener and every connection closed, so clients see their
// connections drop and new ones refused) and restarted on the same port: a
// stand-in for the upstream server going down and coming back. It can also
// hang: connections stay open but nothing is forwarded, like a server that
// stopped answering.
type tcpProxy struct {
	t        *testing.T
	upstream string
	addr     string // fixed after the first start
	hung     atomic.Bool

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// newTCPProxy starts a proxy to upstream on a free loopback port; it is
// stopped when the test ends.
func newTCPProxy(t *testing.T, upstream string) *tcpProxy {
	t.Helper()
	p := &tcpProxy{t: t, upstream: upstream, addr: "127.0.0.1:0", conns: map[net.Conn]struct{}{}}
	p.start()
	t.Cleanup(p.stop)
	return p
}

// start listens (again) on the proxy's address and accepts connections.
func (p *tcpProxy) start() {
	p.t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("proxy listen %s: %v", p.addr, err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	p.wg.Go(func() { p.accept(ln) })
}

func (p *tcpProxy) accept(ln net.Listener) {
	for {
		down, err := ln.Accept()
		if err != nil {
			return // listener closed by stop
		}
		up, err := net.Dial("tcp", p.upstream)
		if err != nil {
			down.Close()
			continue
		}
		if !p.track(down, up) {
			return
		}
		p.wg.Go(func() { p.pipe(down, up) })
		p.wg.Go(func() { p.pipe(up, down) })
	}
}

// track records a connection pair unless the proxy was stopped meanwhile.
func (p *tcpProxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		for _, c := range cs {
			c.Close()
		}
		return false
	}
	for _, c := range cs {
		p.conns[c] = struct{}{}
	}
	return true
}

func (p *tcpProxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !p.hung.Load() { // a hung proxy swallows everything
			if _, werr := dst.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	// Either side ending ends both, as a dead server would.
	dst.Close()
	src.Close()
}

// hang makes the proxy swallow all traffic, in both directions, on open and
// new connections; stop and start end it (a hung server restarted).
func (p *tcpProxy) hang() { p.hung.Store(true) }

// stop closes the listener and every open connection and waits until the
// proxy's goroutines have returned. Stopping a stopped proxy does nothing.
func (p *tcpProxy) stop() {
	p.mu.Lock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
	p.mu.Unlock()
	p.wg.Wait()
	p.hung.Store(false)
}
