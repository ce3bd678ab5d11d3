package main

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// worker is one connection's request loop and its counters.
type worker struct {
	id      int
	sent    int    // requests sent by this worker so far
	refresh string // current refresh token (refresh scenario)
	conn    conn
	hist    histogram
	counts  counts
}

// counts are the outcomes of the recorded requests.
type counts struct {
	S2xx, S3xx, S4xx, S5xx, SocketErrors uint64
}

func (c *counts) add(o counts) {
	c.S2xx += o.S2xx
	c.S3xx += o.S3xx
	c.S4xx += o.S4xx
	c.S5xx += o.S5xx
	c.SocketErrors += o.SocketErrors
}

func (c *counts) status(s int) {
	switch {
	case s >= 500:
		c.S5xx++
	case s >= 400:
		c.S4xx++
	case s >= 300:
		c.S3xx++
	default:
		c.S2xx++
	}
}

// runOptions bound one scenario run.
type runOptions struct {
	conns    int
	duration time.Duration // measured time, after warm-up
	warmup   time.Duration // unrecorded time first, on the same connections
	requests int64         // cap on recorded requests
	timeout  time.Duration // per request I/O deadline
	spread   bool          // give each connection its own 127.x source address
}

// sourceAddr returns a distinct loopback source address per connection, so
// per-IP rate-limit keys see many clients as they would in production.
func sourceAddr(i int) net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, byte(1+i/250/250), byte(i/250%250), byte(2+i%250))}
}

// run drives sc with opts.conns concurrent connections for the warm-up and
// then the measured duration (or until the request cap) and returns the
// result.
func run(ctx context.Context, sc *scenario, opts runOptions) result {
	workers := make([]*worker, opts.conns)
	for i := range workers {
		w := &worker{id: i, conn: conn{addr: sc.target.Host, timeout: opts.timeout}}
		if opts.spread && net.ParseIP(sc.target.Hostname()).To4() != nil {
			w.conn.local = sourceAddr(i)
		}
		workers[i] = w
	}
	var recording atomic.Bool
	var budget atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() { w.loop(sc, stop, &recording, &budget, opts.requests) })
	}
	wait := func(d time.Duration) bool {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-ctx.Done():
			return false
		}
	}
	start := time.Now()
	if wait(opts.warmup) {
		recording.Store(true)
		start = time.Now()
		wait(opts.duration)
	}
	close(stop)
	wg.Wait()
	elapsed := time.Since(start)
	var h histogram
	var c counts
	for _, w := range workers {
		w.conn.close()
		h.merge(&w.hist)
		c.add(w.counts)
	}
	return newResult(sc, opts.conns, elapsed, &h, c)
}

// loop sends requests until stop is closed or the recorded-request budget
// is spent.
func (w *worker) loop(sc *scenario, stop <-chan struct{}, recording *atomic.Bool, budget *atomic.Int64, max int64) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		rec := recording.Load()
		if rec && budget.Add(1) > max {
			return
		}
		req := sc.build(w)
		w.sent++
		start := time.Now()
		status, body, err := w.conn.roundTrip(req, sc.after != nil)
		lat := time.Since(start)
		if err == nil && sc.after != nil {
			sc.after(w, status, body)
		}
		if !rec {
			continue
		}
		if err != nil {
			w.counts.SocketErrors++
			continue
		}
		w.hist.record(lat)
		w.counts.status(status)
	}
}
