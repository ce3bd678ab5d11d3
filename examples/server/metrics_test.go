package main

import (
	"bufio"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// scrape returns the value of every sample line of /metrics whose name and
// labels contain all of the given fragments, summed.
func scrape(t *testing.T, base string, fragments ...string) float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics status %d", resp.StatusCode)
	}
	var sum float64
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
next:
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		for _, f := range fragments {
			if !strings.Contains(line, f) {
				continue next
			}
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			t.Fatalf("metric line %q: %v", line, err)
		}
		sum += v
	}
	return sum
}

// TestMetricsMoveAfterScriptedSequence runs signup → login → me → 429 and
// checks the request, rate-limit, revocation and cache series moved.
func TestMetricsMoveAfterScriptedSequence(t *testing.T) {
	s := startServer(t, map[string]string{"RATE_LIMIT_STRICT": "3"})
	c := apiClient{t, s.URL}
	access, _ := c.signup("metered")
	want(t, c.form("/api/v1/auth/login", url.Values{"username": {"metered"}, "password": {"testpass123"}}), 200)
	want(t, c.do("GET", "/api/v1/users/me", access, "", ""), 200)
	want(t, c.do("GET", "/api/v1/users/me", access, "", ""), 200)
	want(t, c.form("/api/v1/auth/login", url.Values{"username": {"metered"}, "password": {"x"}}), 401)
	want(t, c.form("/api/v1/auth/login", url.Values{"username": {"metered"}, "password": {"x"}}), 429)

	checks := []struct {
		fragments []string
		min       float64
	}{
		{[]string{"groundwork_http_requests_total", `route="POST /api/v1/auth/signup"`, `code="201"`}, 1},
		{[]string{"groundwork_http_requests_total", `route="GET /api/v1/users/me"`, `code="200"`}, 2},
		{[]string{"groundwork_http_requests_total", `route="POST /api/v1/auth/login"`, `code="429"`}, 1},
		{[]string{"groundwork_ratelimit_decisions_total", `outcome="denied"`}, 1},
		{[]string{"groundwork_ratelimit_decisions_total", `outcome="allowed"`}, 5},
		{[]string{"groundwork_auth_revocation_checks_total", `result="ok"`}, 2},
		{[]string{"groundwork_cache_events_total", `cache="users"`, `event="hit"`}, 1},
		{[]string{"groundwork_cache_events_total", `cache="users"`, `event="miss"`}, 1},
	}
	for _, ch := range checks {
		if got := scrape(t, s.URL, ch.fragments...); got < ch.min {
			t.Errorf("%v = %v, want at least %v", ch.fragments, got, ch.min)
		}
	}
}

func TestMetricsOnSeparateListener(t *testing.T) {
	s := startServer(t, map[string]string{"METRICS_ADDR": "127.0.0.1:0"})
	resp, err := http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("public /metrics with METRICS_ADDR set: %d, want 404", resp.StatusCode)
	}
	if s.app.metrics == nil {
		t.Fatal("metrics handler missing")
	}
	addr, stop, err := startMetricsListener("127.0.0.1:0", s.app.metrics, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	want(t, apiClient{t, s.URL}.do("GET", "/health", "", "", ""), 200)
	if n := scrape(t, "http://"+addr, "groundwork_http_requests_total", `route="GET /health"`); n < 1 {
		t.Fatalf("separate listener: /health requests = %v, want at least 1", n)
	}
}
