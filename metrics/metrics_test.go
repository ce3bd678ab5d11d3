package metrics_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/groundwork-go/groundwork/metrics"
)

func TestHandlerServesRegistry(t *testing.T) {
	m, _ := newMetrics(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /things/{id}", func(http.ResponseWriter, *http.Request) {})
	mux.Handle("GET /metrics", m.Handler())
	url := serve(t, m.Middleware(mux))
	do(t, http.DefaultClient, "GET", url+"/things/1")

	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading /metrics: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: got status %d, want 200", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type: got %q, want text/plain exposition format", ct)
	}
	for _, want := range []string{
		`groundwork_http_requests_total{code="200",method="GET",route="GET /things/{id}"} 1`,
		`groundwork_http_request_duration_seconds_bucket{code="200",method="GET",route="GET /things/{id}",le="0.001"}`,
		`groundwork_http_requests_in_flight 1`, // the scrape itself
		`groundwork_cache_events_total{cache="default",event="hit"} 0`,
		`groundwork_auth_revocation_checks_total{result="ok"} 0`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics: missing %q in\n%s", want, body)
		}
	}
}

func TestNewOptions(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg, metrics.Options{Namespace: "shop", Buckets: []float64{0.1, 1}})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /", func(http.ResponseWriter, *http.Request) {})
	do(t, http.DefaultClient, "GET", serve(t, m.Middleware(mux))+"/")

	mf := family(t, reg, "shop_http_request_duration_seconds")
	if mf == nil {
		t.Fatalf("shop_http_request_duration_seconds: not gathered")
	}
	var bounds []float64
	for _, b := range mf.GetMetric()[0].GetHistogram().GetBucket() {
		bounds = append(bounds, b.GetUpperBound())
	}
	if len(bounds) != 2 || bounds[0] != 0.1 || bounds[1] != 1 {
		t.Errorf("bucket bounds: got %v, want [0.1 1]", bounds)
	}
	if f := family(t, reg, "groundwork_http_requests_total"); f != nil {
		t.Errorf("default namespace used despite Options.Namespace")
	}
}

func TestNewWithoutRegistry(t *testing.T) {
	m := metrics.New(nil, metrics.Options{})
	body := scrape(t, m)
	for _, want := range []string{"go_goroutines ", "groundwork_http_requests_in_flight "} {
		if !strings.Contains(body, want) {
			t.Errorf("own registry: missing %q", want)
		}
	}
}

// registererOnly hides the Gatherer side of a registry.
type registererOnly struct{ prometheus.Registerer }

func TestNewGatherer(t *testing.T) {
	reg := prometheus.NewRegistry()
	t.Run("required when the Registerer cannot gather", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Errorf("New with a non-gathering Registerer and no Gatherer: got no panic, want one")
			}
		}()
		metrics.New(registererOnly{prometheus.NewRegistry()}, metrics.Options{})
	})
	t.Run("served when given", func(t *testing.T) {
		m := metrics.New(registererOnly{reg}, metrics.Options{Gatherer: reg})
		if body := scrape(t, m); !strings.Contains(body, "groundwork_http_requests_in_flight ") {
			t.Errorf("Handler with Options.Gatherer: missing the in-flight gauge in\n%s", body)
		}
	})
	t.Run("duplicate registration panics", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Errorf("second New on one registry: got no panic, want one")
			}
		}()
		metrics.New(reg, metrics.Options{})
	})
}

// scrape returns what m.Handler serves.
func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	resp, err := http.Get(serve(t, m.Handler()))
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	return string(b)
}
