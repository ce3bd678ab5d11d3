package metrics

import (
	"net/http"
	"time"
)

// Middleware counts and times the requests next serves, labelled by route
// pattern, method and status code, and tracks how many are in flight.
//
// The route label is what Options.Route returns after next returns, or
// UnmatchedRoute when that is "". By default that is r.Pattern, which
// http.ServeMux sets on the request it receives: the full pattern as
// registered (for example "GET /api/v1/users/{id}"). With the default,
// place Middleware so that no middleware between it and the mux replaces
// the request (with r.WithContext, say), or every request is
// UnmatchedRoute.
// Methods outside the standard nine are labelled OtherMethod. The status
// is the first final code the handler sent, 200 if it wrote a body without
// one, and 500 if it panicked before sending one (a recovering middleware
// outside this one is expected to answer 500).
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.inFlight.Inc()
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		finished := false
		defer func() {
			m.observe(r, sw.status, finished, time.Since(start))
		}()
		next.ServeHTTP(sw, r)
		finished = true
	})
}

// observe records one request once its handler has returned or panicked.
func (m *Metrics) observe(r *http.Request, status int, finished bool, d time.Duration) {
	m.inFlight.Dec()
	if status == 0 {
		status = http.StatusOK
		if !finished {
			status = http.StatusInternalServerError
		}
	}
	s := m.series.get(seriesKey{route: routeLabel(m.route(r)), method: methodLabel(r.Method), code: status})
	s.requests.Inc()
	s.latency.Observe(d.Seconds())
}
