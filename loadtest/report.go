package main

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"
)

// result is one scenario's measured figures.
type result struct {
	Scenario     string  `json:"scenario"`
	Endpoint     string  `json:"endpoint"`
	Connections  int     `json:"connections"`
	Seconds      float64 `json:"seconds"`
	Requests     uint64  `json:"requests"`
	RPS          float64 `json:"requests_per_second"`
	P50Ms        float64 `json:"p50_ms"`
	P99Ms        float64 `json:"p99_ms"`
	MaxMs        float64 `json:"max_ms"`
	Status2xx    uint64  `json:"status_2xx"`
	Status3xx    uint64  `json:"status_3xx"`
	Status4xx    uint64  `json:"status_4xx"`
	Status5xx    uint64  `json:"status_5xx"`
	SocketErrors uint64  `json:"socket_errors"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func newResult(sc *scenario, conns int, elapsed time.Duration, h *histogram, c counts) result {
	return result{
		Scenario: sc.name, Endpoint: sc.endpoint, Connections: conns, Seconds: elapsed.Seconds(),
		Requests: h.n, RPS: float64(h.n) / elapsed.Seconds(),
		P50Ms: ms(h.quantile(0.50)), P99Ms: ms(h.quantile(0.99)), MaxMs: ms(h.quantile(1)),
		Status2xx: c.S2xx, Status3xx: c.S3xx, Status4xx: c.S4xx, Status5xx: c.S5xx, SocketErrors: c.SocketErrors,
	}
}

// report is the whole run, written as JSON and as a markdown table.
type report struct {
	Started   time.Time `json:"started"`
	Target    string    `json:"target"`
	GoVersion string    `json:"go_version"`
	NumCPU    int       `json:"num_cpu"`
	Users     int       `json:"users"`
	Results   []result  `json:"results"`
	// MeToBarePairs are warm /users/me requests/s over the bare handler's
	// for each "me" run followed (later in the run) by a "bare" run.
	MeToBarePairs []float64 `json:"me_to_bare_pairs,omitempty"`
	// MeToBare is the median of MeToBarePairs, when both ran.
	MeToBare *float64 `json:"me_to_bare_ratio,omitempty"`
	// MeToBareOverall is the pairs' me requests/s summed over their bare
	// requests/s summed.
	MeToBareOverall *float64 `json:"me_to_bare_overall,omitempty"`
	// BareRedisToBarePairs are the bare-redis requests/s (the bare handler
	// plus one Redis PING per request) over those of the bare run before
	// each: the floor of any server that asks Redis once per request.
	BareRedisToBarePairs []float64 `json:"bare_redis_to_bare_pairs,omitempty"`
	// MeToBareRedisPairs are warm /users/me requests/s over those of the
	// next bare-redis run.
	MeToBareRedisPairs []float64 `json:"me_to_bare_redis_pairs,omitempty"`
	// MeToNoLimitPairs are warm /users/me requests/s over those of the
	// next me-nolimit run (the same server with rate limiting off).
	MeToNoLimitPairs []float64 `json:"me_to_nolimit_pairs,omitempty"`
}

// pairUp pairs each result of scenario first with the next one of
// scenario second and returns their requests/s, pair by pair.
func pairUp(results []result, first, second string) (a, b []float64) {
	var pending float64 // an unpaired first requests/s
	for _, res := range results {
		switch {
		case res.Scenario == first:
			pending = res.RPS
		case res.Scenario == second && pending > 0 && res.RPS > 0:
			a, b = append(a, pending), append(b, res.RPS)
			pending = 0
		}
	}
	return a, b
}

// ratios returns num[i]/den[i] for each pair, nil for none.
func ratios(num, den []float64) []float64 {
	if len(num) == 0 {
		return nil
	}
	out := make([]float64, len(num))
	for i := range num {
		out[i] = num[i] / den[i]
	}
	return out
}

func median(xs []float64) float64 {
	sorted := slices.Sorted(slices.Values(xs))
	m := sorted[len(sorted)/2]
	if len(sorted)%2 == 0 {
		m = (sorted[len(sorted)/2-1] + sorted[len(sorted)/2]) / 2
	}
	return m
}

// computeRatio pairs each "me" result with the next "bare" one; on a shared
// machine alternating several short pairs (-scenarios me,bare,me,bare,...)
// and taking the median resists drifts in the machine's speed better than
// one long pair. It pairs "bare" with the next "bare-redis" and "me" with
// the next "bare-redis" alike.
func (r *report) computeRatio() {
	bare, redis := pairUp(r.Results, "bare", "bare-redis")
	r.BareRedisToBarePairs = ratios(redis, bare)
	me, redis := pairUp(r.Results, "me", "bare-redis")
	r.MeToBareRedisPairs = ratios(me, redis)
	me, off := pairUp(r.Results, "me", "me-nolimit")
	r.MeToNoLimitPairs = ratios(me, off)
	me, bare = pairUp(r.Results, "me", "bare")
	r.MeToBarePairs = nil
	if len(me) == 0 {
		return
	}
	r.MeToBarePairs = ratios(me, bare)
	m := median(r.MeToBarePairs)
	overall := sum(me) / sum(bare)
	r.MeToBare, r.MeToBareOverall = &m, &overall
}

func sum(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s
}

// percents formats ratios as percentages.
func percents(xs []float64) string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprintf("%.1f%%", x*100)
	}
	return strings.Join(out, ", ")
}

func (r *report) markdown(w io.Writer) {
	fmt.Fprintf(w, "| Scenario | Endpoint | Conns | Seconds | Requests | Req/s | p50 ms | p99 ms | max ms | 2xx | 4xx | 5xx | Socket errors |\n")
	fmt.Fprintf(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, x := range r.Results {
		fmt.Fprintf(w, "| %s | `%s` | %d | %.1f | %d | %.0f | %.2f | %.2f | %.1f | %d | %d | %d | %d |\n",
			x.Scenario, x.Endpoint, x.Connections, x.Seconds, x.Requests, x.RPS, x.P50Ms, x.P99Ms, x.MaxMs,
			x.Status2xx, x.Status4xx, x.Status5xx, x.SocketErrors)
	}
	switch {
	case len(r.MeToBarePairs) == 1:
		fmt.Fprintf(w, "\nWarm `/users/me` through the full stack: **%.0f%%** of the bare `net/http` ceiling (same run, same connections).\n", *r.MeToBare*100)
	case len(r.MeToBarePairs) > 1:
		pairs := make([]string, len(r.MeToBarePairs))
		for i, p := range r.MeToBarePairs {
			pairs[i] = fmt.Sprintf("%.1f%%", p*100)
		}
		fmt.Fprintf(w, "\nWarm `/users/me` through the full stack: **%.1f%%** of the bare `net/http` ceiling, the median of %d alternating pairs (%s; all pairs together %.1f%%; same run, same connections).\n",
			*r.MeToBare*100, len(pairs), strings.Join(pairs, ", "), *r.MeToBareOverall*100)
	}
	if len(r.MeToNoLimitPairs) > 0 {
		fmt.Fprintf(w, "\nWarm `/users/me` with the rate limiter: **%.1f%%** of the same server with it off (median of %d pairs: %s).\n",
			median(r.MeToNoLimitPairs)*100, len(r.MeToNoLimitPairs), percents(r.MeToNoLimitPairs))
	}
	if len(r.BareRedisToBarePairs) > 0 {
		fmt.Fprintf(w, "\nBare handler plus one Redis PING per request: **%.1f%%** of the bare ceiling (median of %d pairs: %s).\n",
			median(r.BareRedisToBarePairs)*100, len(r.BareRedisToBarePairs), percents(r.BareRedisToBarePairs))
	}
	if len(r.MeToBareRedisPairs) > 0 {
		fmt.Fprintf(w, "\nWarm `/users/me` through the full stack: **%.1f%%** of the bare handler plus one PING (median of %d pairs: %s).\n",
			median(r.MeToBareRedisPairs)*100, len(r.MeToBareRedisPairs), percents(r.MeToBareRedisPairs))
	}
}

func newReport(target string, users int) *report {
	return &report{Started: time.Now().UTC(), Target: target, GoVersion: runtime.Version(), NumCPU: runtime.NumCPU(), Users: users}
}
