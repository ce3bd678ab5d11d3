package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/groundwork-go/groundwork/internal/redisconn"
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
		{"-keys", "1000001"}, {"-keys", "0"}, {"-token-bytes", "1048577"}, {"-pad-bytes", "30721"},
		{"-every", "0s"}, {"-delay", "11s"}, {"-clk-tck", "0"},
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

// The report pairs each me run with the next bare run and gives the median
// and overall ratio of the pairs.
func TestReportPairsMeWithBare(t *testing.T) {
	rep := &report{Results: []result{
		{Scenario: "health", RPS: 900},
		{Scenario: "me", RPS: 50}, {Scenario: "bare", RPS: 100}, // 0.5
		{Scenario: "me", RPS: 60}, {Scenario: "login", RPS: 5}, {Scenario: "bare", RPS: 100}, // 0.6
		{Scenario: "bare", RPS: 300},                            // no me before it: unpaired
		{Scenario: "me", RPS: 40}, {Scenario: "bare", RPS: 100}, // 0.4
		{Scenario: "me", RPS: 70}, // no bare after it: unpaired
	}}
	rep.computeRatio()
	if got := rep.MeToBarePairs; len(got) != 3 || got[0] != 0.5 || got[1] != 0.6 || got[2] != 0.4 {
		t.Fatalf("pairs %v, want [0.5 0.6 0.4]", got)
	}
	if *rep.MeToBare != 0.5 || *rep.MeToBareOverall != 0.5 {
		t.Fatalf("median %v overall %v, want 0.5 and 0.5", *rep.MeToBare, *rep.MeToBareOverall)
	}
	var md strings.Builder
	rep.markdown(&md)
	if !strings.Contains(md.String(), "**50.0%** of the bare `net/http` ceiling, the median of 3 alternating pairs (50.0%, 60.0%, 40.0%; all pairs together 50.0%") {
		t.Fatalf("markdown:\n%s", md.String())
	}

	one := &report{Results: []result{{Scenario: "me", RPS: 30}, {Scenario: "bare", RPS: 120}}}
	one.computeRatio()
	md.Reset()
	one.markdown(&md)
	if *one.MeToBare != 0.25 || !strings.Contains(md.String(), "**25%** of the bare") {
		t.Fatalf("one pair: %v\n%s", *one.MeToBare, md.String())
	}
	none := &report{Results: []result{{Scenario: "me", RPS: 30}}}
	if none.computeRatio(); none.MeToBare != nil {
		t.Fatal("a ratio without a bare run")
	}
}

// Without -bare-redis the default scenarios leave bare-redis out; with it,
// bare-redis runs right after bare.
func TestParseFlagsDefaultScenarios(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "health,me,bare,login,signup,refresh"},
		{[]string{"-bare-redis", "http://127.0.0.1:8801"}, "health,me,bare,bare-redis,login,signup,refresh"},
		{[]string{"-target-nolimit", "http://127.0.0.1:8802"}, "health,me,me-nolimit,bare,login,signup,refresh"},
		{[]string{"-scenarios", "me,bare-redis"}, "me,bare-redis"},
	} {
		f, err := parseFlags(tc.args)
		if err != nil || f.scenarios != tc.want {
			t.Errorf("parseFlags(%q): got scenarios %q, %v; want %q", tc.args, f.scenarios, err, tc.want)
		}
	}
}

// The bare-redis handler answers the bare profile after a PING over a real
// connection, and 503 when Redis does not answer.
func TestBareRedisHandler(t *testing.T) {
	for _, tc := range []struct {
		name     string
		stopped  bool
		want     int
		wantBody string
	}{
		{"redis up", false, http.StatusOK, `"username":"loadtest"`},
		{"redis stopped", true, http.StatusServiceUnavailable, "redis: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mini := miniredis.RunT(t)
			client, err := redisconn.OpenUncached("redis://" + mini.Addr())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(client.Close)
			if tc.stopped {
				mini.Close()
			}
			srv := httptest.NewServer(bareRedisHandler(client))
			t.Cleanup(srv.Close)
			resp, err := http.Get(srv.URL + "/api/v1/users/me")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.want || !strings.Contains(string(body), tc.wantBody) {
				t.Fatalf("got %d %q, want %d with %q", resp.StatusCode, body, tc.want, tc.wantBody)
			}
			if !tc.stopped {
				if n := mini.CommandCount(); n < 1 {
					t.Fatalf("miniredis saw %d commands, want the PING", n)
				}
			}
		})
	}
}

// The report pairs bare with the next bare-redis run, and me with the next
// bare-redis and me-nolimit runs.
func TestReportPairsBareRedis(t *testing.T) {
	rep := &report{Results: []result{
		{Scenario: "me", RPS: 30}, {Scenario: "me-nolimit", RPS: 40}, {Scenario: "bare", RPS: 100}, {Scenario: "bare-redis", RPS: 60},
		{Scenario: "me", RPS: 40}, {Scenario: "me-nolimit", RPS: 50}, {Scenario: "bare", RPS: 100}, {Scenario: "bare-redis", RPS: 80},
	}}
	rep.computeRatio()
	if got := rep.BareRedisToBarePairs; len(got) != 2 || got[0] != 0.6 || got[1] != 0.8 {
		t.Fatalf("bare-redis pairs %v, want [0.6 0.8]", got)
	}
	if got := rep.MeToBareRedisPairs; len(got) != 2 || got[0] != 0.5 || got[1] != 0.5 {
		t.Fatalf("me to bare-redis pairs %v, want [0.5 0.5]", got)
	}
	var md strings.Builder
	rep.markdown(&md)
	if got := rep.MeToNoLimitPairs; len(got) != 2 || got[0] != 0.75 || got[1] != 0.8 {
		t.Fatalf("me to me-nolimit pairs %v, want [0.75 0.8]", got)
	}
	for _, want := range []string{"one Redis PING per request: **70.0%** of the bare ceiling (median of 2 pairs: 60.0%, 80.0%)",
		"with the rate limiter: **77.5%** of the same server with it off (median of 2 pairs: 75.0%, 80.0%)",
		"**50.0%** of the bare handler plus one PING"} {
		if !strings.Contains(md.String(), want) {
			t.Fatalf("markdown lacks %q:\n%s", want, md.String())
		}
	}
}
