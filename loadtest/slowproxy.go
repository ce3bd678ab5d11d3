package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// slowProxy forwards TCP connections to an upstream server (a Redis) and
// holds every chunk of the upstream's replies for a fixed delay before
// passing it on, keeping order and pipelining: a slow Redis as its clients
// see it, for the attacks that need one. Requests are forwarded at once.
type slowProxy struct {
	ln       net.Listener
	upstream string
	delay    time.Duration
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	closed   bool
}

// newSlowProxy listens on addr; both addr and upstream must be loopback.
func newSlowProxy(addr, upstream string, delay time.Duration) (*slowProxy, error) {
	for _, a := range []string{addr, upstream} {
		host, _, err := net.SplitHostPort(a)
		if err != nil {
			return nil, fmt.Errorf("slow proxy address %q: %w", a, err)
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("slow proxy address %q: only loopback addresses", a)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	p := &slowProxy{ln: ln, upstream: upstream, delay: delay, conns: map[net.Conn]struct{}{}}
	p.wg.Go(p.accept)
	return p, nil
}

// Addr is the address the proxy listens on.
func (p *slowProxy) Addr() string { return p.ln.Addr().String() }

// Close stops the proxy and closes every connection it holds.
func (p *slowProxy) Close() {
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.ln.Close()
	p.wg.Wait()
}

// track records c, or closes it and reports false once the proxy is closed.
func (p *slowProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *slowProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if p.track(c) {
			p.wg.Go(func() { p.serve(c) })
		}
	}
}

// chunk is one read of the upstream's replies and when it arrived.
type chunk struct {
	data []byte
	at   time.Time
}

func (p *slowProxy) serve(client net.Conn) {
	defer client.Close()
	up, err := net.DialTimeout("tcp", p.upstream, 5*time.Second)
	if err != nil || !p.track(up) {
		return
	}
	defer up.Close()
	p.wg.Go(func() { // requests: forwarded at once
		io.Copy(up, client)
		up.Close()
	})
	replies := make(chan chunk, 1024)
	p.wg.Go(func() { // replies: each chunk released delay after it arrived
		defer client.Close()
		for ch := range replies {
			time.Sleep(time.Until(ch.at.Add(p.delay)))
			if _, err := client.Write(ch.data); err != nil {
				for range replies { // drain, so the reader never blocks
				}
				return
			}
		}
	})
	defer close(replies)
	for {
		buf := make([]byte, 32<<10)
		n, err := up.Read(buf)
		if n > 0 {
			replies <- chunk{data: buf[:n], at: time.Now()}
		}
		if err != nil {
			return
		}
	}
}

// serveSlowProxy runs a slowProxy until ctx is done. It prints
// "listening ADDR" first.
func serveSlowProxy(ctx context.Context, addr, upstream string, delay time.Duration) error {
	p, err := newSlowProxy(addr, upstream, delay)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stdout, "listening %s\n", p.Addr())
	<-ctx.Done()
	p.Close()
	if errors.Is(ctx.Err(), context.Canceled) {
		return nil
	}
	return ctx.Err()
}
