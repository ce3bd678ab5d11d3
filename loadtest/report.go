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
}

// computeRatio pairs each "me" result with the next "bare" one; on a shared
// machine alternating several short pairs (-scenarios me,bare,me,bare,...)
// and taking the median resists drifts in the machine's speed better than
// one long pair.
func (r *report) computeRatio() {
	var pending float64 // an unpaired me requests/s
	var sumMe, sumBare float64
	r.MeToBarePairs = nil
	for _, res := range r.Results {
		switch {
		case res.Scenario == "me":
			pending = res.RPS
		case res.Scenario == "bare" && pending > 0 && res.RPS > 0:
			r.MeToBarePairs = append(r.MeToBarePairs, pending/res.RPS)
			sumMe, sumBare = sumMe+pending, sumBare+res.RPS
			pending = 0
		}
	}
	if len(r.MeToBarePairs) == 0 {
		return
	}
	sorted := slices.Sorted(slices.Values(r.MeToBarePairs))
	median := sorted[len(sorted)/2]
	if len(sorted)%2 == 0 {
		median = (sorted[len(sorted)/2-1] + sorted[len(sorted)/2]) / 2
	}
	overall := sumMe / sumBare
	r.MeToBare, r.MeToBareOverall = &median, &overall
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
}

func newReport(target string, users int) *report {
	return &report{Started: time.Now().UTC(), Target: target, GoVersion: runtime.Version(), NumCPU: runtime.NumCPU(), Users: users}
}
