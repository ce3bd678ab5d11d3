package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// floodOptions bound one flood of requests.
type floodOptions struct {
	conns    int
	duration time.Duration // no request starts after it
	timeout  time.Duration // per-request I/O deadline
	requests int64         // cap on requests sent; 0: none
	// local, when set, gives connection i its source address.
	local func(i int) net.Addr
	// addrs, when set, are the servers (host:port) the connections are
	// spread over, round robin, instead of the target's.
	addrs []string
}

// floodStats are the outcomes of a flood's requests.
type floodStats struct {
	hist     histogram      // latency of answered requests
	status   map[int]uint64 // answers by status code
	retry503 uint64         // 503 answers that carried Retry-After
	timeouts uint64         // requests cut by the I/O deadline
	errors   uint64         // other socket errors (refused, reset, closed)
	elapsed  time.Duration
}

func newFloodStats() *floodStats { return &floodStats{status: map[int]uint64{}} }

// requests is the number of requests that got an answer or an error.
func (s *floodStats) requests() uint64 { return s.hist.n + s.timeouts + s.errors }

// record adds the outcome of one round trip.
func (s *floodStats) record(c *conn, status int, err error, lat time.Duration) {
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		s.timeouts++
	case err != nil:
		s.errors++
	default:
		s.hist.record(lat)
		s.status[status]++
		if status == 503 && c.header.Get("Retry-After") != "" {
			s.retry503++
		}
	}
}

func (s *floodStats) merge(o *floodStats) {
	s.hist.merge(&o.hist)
	for k, v := range o.status {
		s.status[k] += v
	}
	s.retry503 += o.retry503
	s.timeouts += o.timeouts
	s.errors += o.errors
}

// flood sends requests built by build (seq counts from 1 over the whole
// flood) on opts.conns keep-alive connections until the duration is over,
// the request cap is reached or ctx is done. A request in flight at the end
// still runs to its answer or its deadline.
func flood(ctx context.Context, target *url.URL, opts floodOptions, build func(seq int64) []byte) *floodStats {
	deadline := time.Now().Add(opts.duration)
	var seq atomic.Int64
	stats := make([]*floodStats, opts.conns)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range opts.conns {
		s := newFloodStats()
		stats[i] = s
		c := &conn{addr: target.Host, timeout: opts.timeout}
		if len(opts.addrs) > 0 {
			c.addr = opts.addrs[i%len(opts.addrs)]
		}
		if opts.local != nil {
			c.local = opts.local(i)
		}
		wg.Go(func() {
			defer c.close()
			for ctx.Err() == nil && time.Now().Before(deadline) {
				n := seq.Add(1)
				if opts.requests > 0 && n > opts.requests {
					return
				}
				t := time.Now()
				status, _, err := c.roundTrip(build(n), false)
				s.record(c, status, err, time.Since(t))
			}
		})
	}
	wg.Wait()
	total := newFloodStats()
	for _, s := range stats {
		total.merge(s)
	}
	total.elapsed = time.Since(start)
	return total
}

// probeStats are the answers of a periodic probe.
type probeStats struct {
	hist     histogram // latency of 200 answers
	failures uint64    // errors, timeouts and other statuses
}

// probe requests req at once and then every interval, each time on a new
// connection (a new client's view) without waiting for the answers before,
// until stop is closed, and returns what it saw once every probe is done.
func probe(target *url.URL, req []byte, every, timeout time.Duration, stop <-chan struct{}) *probeStats {
	var ps probeStats
	var mu sync.Mutex
	ticking(every, stop, func(int) {
		c := conn{addr: target.Host, timeout: timeout}
		t := time.Now()
		status, _, err := c.roundTrip(req, false)
		lat := time.Since(t)
		c.close()
		mu.Lock()
		defer mu.Unlock()
		if err == nil && status == 200 {
			ps.hist.record(lat)
		} else {
			ps.failures++
		}
	})
	return &ps
}

// ticking calls fn(k) in a goroutine of its own at once (k = 0) and then
// every interval until stop is closed, and returns when every call has.
func ticking(every time.Duration, stop <-chan struct{}, fn func(k int)) {
	var wg sync.WaitGroup
	defer wg.Wait()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for k := 0; ; k++ {
		wg.Go(func() { fn(k) })
		select {
		case <-stop:
			return
		case <-tick.C:
		}
	}
}

// withHeader inserts the header line "name: value" right after req's
// request line.
func withHeader(req []byte, name, value string) []byte {
	i := bytes.Index(req, []byte("\r\n"))
	out := make([]byte, 0, len(req)+len(name)+len(value)+4)
	out = append(out, req[:i+2]...)
	out = append(out, name+": "+value+"\r\n"...)
	return append(out, req[i+2:]...)
}

// forwardedIP returns a distinct IPv4 address in 10.0.0.0/8 for each n in
// [0, 2^24-2], as a client address named in X-Forwarded-For.
func forwardedIP(n int64) string {
	v := 0x0A000001 + uint32(n)&0xFFFFFF
	return net.IPv4(byte(v>>24), byte(v>>16), byte(v>>8), byte(v)).String()
}
