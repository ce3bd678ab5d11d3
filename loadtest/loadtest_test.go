package main

import (
	"context"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

func TestLoopbackTarget(t *testing.T) {
	for _, tc := range []struct {
		raw string
		ok  bool
	}{
		{"http://127.0.0.1:8799", true},
		{"http://localhost:8799", true},
		{"http://[::1]:8799", true},
		{"http://127.9.9.9:1", true},
		{"http://10.0.0.1:8799", false},
		{"http://example.com:80", false},
		{"https://127.0.0.1:8799", false},
		{"http://127.0.0.1", false},
		{"http://0.0.0.0:8799", false},
	} {
		_, err := loopbackTarget(tc.raw)
		if (err == nil) != tc.ok {
			t.Errorf("loopbackTarget(%q): got err %v, want ok=%v", tc.raw, err, tc.ok)
		}
	}
}

func TestHistogramQuantiles(t *testing.T) {
	var h histogram
	for us := 1; us <= 10000; us++ {
		h.record(time.Duration(us) * time.Microsecond)
	}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 5000 * time.Microsecond}, {0.99, 9900 * time.Microsecond}, {1, 10000 * time.Microsecond}} {
		got := h.quantile(tc.q)
		if got < tc.want || float64(got) > float64(tc.want)*1.02 {
			t.Errorf("quantile(%v) = %v, want %v within +2%%", tc.q, got, tc.want)
		}
	}
	for v := uint64(0); v < 1<<30; v = v*5/4 + 1 {
		b := bucketOf(v)
		if up := bucketValue(b); up < v || float64(up) > float64(v)*1.02+1 {
			t.Fatalf("value %d: bucket %d bound %d, want within 2%% above", v, b, up)
		}
		if b > 0 && bucketValue(b-1) >= v {
			t.Fatalf("value %d: bucket %d, but bucket %d already reaches %d", v, b, b-1, bucketValue(b-1))
		}
	}
}

func TestParseFlagsEnforcesHardCaps(t *testing.T) {
	for _, args := range [][]string{
		{"-duration", "16m"}, {"-duration", "0s"}, {"-conns", "4097"}, {"-conns", "0"},
		{"-users", "10001"}, {"-requests", "100000001"}, {"-timeout", "2m"},
	} {
		if _, err := parseFlags(args); err == nil {
			t.Errorf("parseFlags(%q): got no error, want the cap enforced", args)
		}
	}
	f, err := parseFlags(nil)
	if err != nil || f.conns != 256 || f.duration != 10*time.Second {
		t.Fatalf("defaults: got %+v, %v; want 256 connections for 10s", f, err)
	}
}

// TestRunAgainstBare drives the bare handler over real keep-alive
// connections: every answer is a 2xx, and the request cap is exact.
func TestRunAgainstBare(t *testing.T) {
	srv := httptest.NewServer(bareHandler())
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	sc := meScenario("bare", u, []account{{access: "x"}, {access: "y"}})
	opts := runOptions{conns: 4, duration: 5 * time.Second, requests: 300, timeout: 5 * time.Second, spread: true}
	res := run(context.Background(), sc, opts)
	if res.Requests != 300 || res.Status2xx != 300 || res.SocketErrors != 0 || res.Status5xx != 0 {
		t.Fatalf("got %+v, want exactly 300 requests, all 2xx", res)
	}
	if res.P50Ms <= 0 || res.P99Ms < res.P50Ms || res.RPS <= 0 {
		t.Fatalf("figures %+v, want positive p50 ≤ p99 and requests/s", res)
	}
}

func TestRunCountsRefusedConnectionsAsSocketErrors(t *testing.T) {
	srv := httptest.NewServer(bareHandler())
	u, _ := url.Parse(srv.URL)
	srv.Close() // nothing listens on the port any more
	res := run(context.Background(), healthScenario(u), runOptions{conns: 2, duration: time.Second, requests: 20, timeout: time.Second})
	if res.SocketErrors != 20 || res.Requests != 0 {
		t.Fatalf("got %+v, want 20 socket errors and no answered requests", res)
	}
}
