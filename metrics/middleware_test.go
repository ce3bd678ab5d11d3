package metrics_test

import (
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/metrics"
)

const (
	requestsTotal = "groundwork_http_requests_total"
	duration      = "groundwork_http_request_duration_seconds"
	inFlight      = "groundwork_http_requests_in_flight"
)

// serve starts a real server running h and returns its URL.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // superfluous WriteHeader calls are tested on purpose
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestMiddlewareLabelsByRouteMethodAndStatus(t *testing.T) {
	m, reg := newMetrics(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /things/{id}", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.PathValue("id"))
	})
	mux.HandleFunc("POST /things", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "bad thing", http.StatusBadRequest)
	})
	mux.HandleFunc("GET /created", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		w.WriteHeader(http.StatusAccepted) // superfluous: ignored by net/http and by us
	})
	mux.HandleFunc("GET /quiet", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("/any", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	url := serve(t, m.Middleware(mux))

	requests := []struct {
		method, path string
		wantCode     int
	}{
		{"GET", "/things/1", 200},
		{"GET", "/things/2", 200},
		{"HEAD", "/things/3", 200},
		{"POST", "/things", 400},
		{"GET", "/created", 201},
		{"GET", "/quiet", 200},
		{"BREW", "/any", 204},
		{"GET", "/missing", 404},
		{"DELETE", "/things/1", 405},
	}
	for _, r := range requests {
		if got := do(t, http.DefaultClient, r.method, url+r.path); got != r.wantCode {
			t.Fatalf("%s %s: got status %d, want %d", r.method, r.path, got, r.wantCode)
		}
	}

	want := []struct {
		route, method, code string
		count               float64
	}{
		{"GET /things/{id}", "GET", "200", 2},
		{"GET /things/{id}", "HEAD", "200", 1},
		{"POST /things", "POST", "400", 1},
		{"GET /created", "GET", "201", 1},
		{"GET /quiet", "GET", "200", 1},
		{"/any", "OTHER", "204", 1},
		{metrics.UnmatchedRoute, "GET", "404", 1},
		{metrics.UnmatchedRoute, "DELETE", "405", 1},
	}
	for _, w := range want {
		for _, name := range []string{requestsTotal, duration} {
			got := value(t, reg, name, "route", w.route, "method", w.method, "code", w.code)
			if got != w.count {
				t.Errorf("%s{route=%q,method=%q,code=%q}: got %v, want %v", name, w.route, w.method, w.code, got, w.count)
			}
		}
	}
	for _, name := range []string{requestsTotal, duration} {
		if got := seriesCount(t, reg, name); got != len(want) {
			t.Errorf("%s: got %d series, want %d", name, got, len(want))
		}
	}
	if got := value(t, reg, inFlight); got != 0 {
		t.Errorf("in flight after all requests: got %v, want 0", got)
	}
}

func TestMiddlewareBoundsLabels(t *testing.T) {
	m, reg := newMetrics(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /known", func(http.ResponseWriter, *http.Request) {})
	url := serve(t, m.Middleware(mux))

	const n = 40
	for i := range n {
		do(t, http.DefaultClient, fmt.Sprintf("X-METHOD-%d", i), fmt.Sprintf("%s/unknown/%d", url, i))
	}
	if got := seriesCount(t, reg, requestsTotal); got != 1 {
		t.Errorf("series after %d requests with distinct unknown methods and paths: got %d, want 1", n, got)
	}
	if got := value(t, reg, requestsTotal, "route", metrics.UnmatchedRoute, "method", metrics.OtherMethod, "code", "404"); got != n {
		t.Errorf("unmatched OTHER 404: got %v, want %d", got, n)
	}
}

func TestMiddlewareInFlight(t *testing.T) {
	m, reg := newMetrics(t)
	during := make(chan []*dto.MetricFamily, 1)
	url := serve(t, m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mfs, _ := reg.Gather()
		during <- mfs
	})))
	do(t, http.DefaultClient, "GET", url)
	mfs := <-during
	snapshot := prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) { return mfs, nil })
	if got := value(t, snapshot, inFlight); got != 1 {
		t.Errorf("in flight while serving: got %v, want 1", got)
	}
	if got := value(t, reg, inFlight); got != 0 {
		t.Errorf("in flight after serving: got %v, want 0", got)
	}
}

func TestMiddlewarePanic(t *testing.T) {
	tests := []struct {
		name     string
		handler  http.HandlerFunc
		wantCode int
	}{
		{"before writing", func(http.ResponseWriter, *http.Request) { panic("boom") }, 500},
		{"after the header", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusAccepted)
			panic("boom")
		}, 202},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, reg := newMetrics(t)
			mux := http.NewServeMux()
			mux.Handle("GET /panic", tt.handler)
			quiet := slog.New(slog.DiscardHandler)
			url := serve(t, withLogger(quiet, httpx.Recover(m.Middleware(mux))))
			if got := do(t, http.DefaultClient, "GET", url+"/panic"); got != tt.wantCode {
				t.Fatalf("status: got %d, want %d", got, tt.wantCode)
			}
			code := fmt.Sprint(tt.wantCode)
			if got := value(t, reg, requestsTotal, "route", "GET /panic", "method", "GET", "code", code); got != 1 {
				t.Errorf("requests with code %s: got %v, want 1", code, got)
			}
			if got := value(t, reg, inFlight); got != 0 {
				t.Errorf("in flight after a panic: got %v, want 0", got)
			}
		})
	}
}

// withLogger puts logger in the request context, so httpx.Recover logs there.
func withLogger(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(httpx.NewLoggerContext(r.Context(), logger)))
	})
}

func TestMiddlewareKeepsResponseController(t *testing.T) {
	m, reg := newMetrics(t)
	errs := make(chan error, 2)
	url := serve(t, m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		errs <- rc.SetWriteDeadline(time.Now().Add(time.Minute))
		w.Header().Set("Link", "</style.css>; rel=preload; as=style")
		w.WriteHeader(http.StatusEarlyHints)
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, "partial")
		errs <- rc.Flush()
	})))
	if got := do(t, http.DefaultClient, "GET", url); got != http.StatusAccepted {
		t.Fatalf("status: got %d, want 202", got)
	}
	for _, op := range []string{"SetWriteDeadline", "Flush"} {
		if err := <-errs; err != nil {
			t.Errorf("%s through the middleware: got %v, want nil", op, err)
		}
	}
	if got := value(t, reg, requestsTotal, "route", metrics.UnmatchedRoute, "method", "GET", "code", "202"); got != 1 {
		t.Errorf("requests with the final code 202: got %v, want 1", got)
	}
	if got := seriesCount(t, reg, requestsTotal); got != 1 {
		t.Errorf("series: got %d, want 1 (103 Early Hints is not the status)", got)
	}
}

// TestMiddlewareInHTTPXStack places the middleware as a server would: inside
// the httpx middleware that replaces the request (AccessLog) and inside
// Recover, around httpx.JSONErrors and the mux.
func TestMiddlewareInHTTPXStack(t *testing.T) {
	m, reg := newMetrics(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /things/{id}", func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"id": r.PathValue("id")})
	})
	mux.HandleFunc("GET /panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
	quiet := slog.New(slog.DiscardHandler)
	url := serve(t, httpx.Chain(
		httpx.RequestID,
		httpx.AccessLog(quiet, httpx.AccessLogOptions{}),
		httpx.Recover,
		m.Middleware,
	)(httpx.JSONErrors(mux)))

	requests := []struct {
		method, path             string
		route, methodLabel, code string
	}{
		{"GET", "/things/1", "GET /things/{id}", "GET", "200"},
		{"GET", "/panic", "GET /panic", "GET", "500"},
		{"GET", "/nope", metrics.UnmatchedRoute, "GET", "404"},
		{"POST", "/things/1", metrics.UnmatchedRoute, "POST", "405"},
	}
	for _, r := range requests {
		if got := fmt.Sprint(do(t, http.DefaultClient, r.method, url+r.path)); got != r.code {
			t.Fatalf("%s %s: got status %s, want %s", r.method, r.path, got, r.code)
		}
		if got := value(t, reg, requestsTotal, "route", r.route, "method", r.methodLabel, "code", r.code); got != 1 {
			t.Errorf("%s %s: requests{route=%q,code=%s}: got %v, want 1", r.method, r.path, r.route, r.code, got)
		}
	}
}
