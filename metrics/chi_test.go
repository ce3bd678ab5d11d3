package metrics_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/metrics"
)

// chiRoute labels a request with its method and chi's route pattern, or ""
// when chi matched no route.
func chiRoute(r *http.Request) string {
	rctx := chi.RouteContext(r.Context())
	if rctx == nil || rctx.RoutePattern() == "" {
		return ""
	}
	return r.Method + " " + rctx.RoutePattern()
}

// TestMiddlewareOnChi mounts the middleware on a chi router, after httpx
// middleware that replaces the request, with Options.Route reading chi's
// route pattern: routed requests are labelled by pattern, chi's own 404
// and 405 answers (made JSON by httpx.JSONErrors) by UnmatchedRoute.
func TestMiddlewareOnChi(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg, metrics.Options{Route: chiRoute})
	r := chi.NewRouter()
	r.Use(httpx.RequestID, httpx.AccessLog(slog.New(slog.DiscardHandler), httpx.AccessLogOptions{Route: chiRoute}), httpx.Recover, m.Middleware)
	r.Get("/things/{id}", func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"id": chi.URLParam(r, "id")})
	})
	r.Get("/panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
	url := serve(t, httpx.JSONErrors(r))

	requests := []struct {
		method, path string
		route, code  string
	}{
		{"GET", "/things/1", "GET /things/{id}", "200"},
		{"GET", "/panic", "GET /panic", "500"},
		{"GET", "/nope", metrics.UnmatchedRoute, "404"},
		{"POST", "/things/1", metrics.UnmatchedRoute, "405"},
	}
	for _, rq := range requests {
		if got := fmt.Sprint(do(t, http.DefaultClient, rq.method, url+rq.path)); got != rq.code {
			t.Fatalf("%s %s: got status %s, want %s", rq.method, rq.path, got, rq.code)
		}
		if got := value(t, reg, requestsTotal, "route", rq.route, "method", rq.method, "code", rq.code); got != 1 {
			t.Errorf("%s %s: requests{route=%q,code=%s}: got %v, want 1", rq.method, rq.path, rq.route, rq.code, got)
		}
	}
	if got := seriesCount(t, reg, requestsTotal); got != len(requests) {
		t.Errorf("series: got %d, want %d", got, len(requests))
	}
}
