package metrics_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/groundwork-go/groundwork/cache"
	"github.com/groundwork-go/groundwork/metrics"
	"github.com/groundwork-go/groundwork/ratelimit"
)

// printSeries scrapes h and prints the lines that start with prefix.
func printSeries(h http.Handler, prefix string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), prefix) {
			fmt.Println(sc.Text())
		}
	}
}

func ExampleNew() {
	m := metrics.New(prometheus.NewRegistry(), metrics.Options{})

	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"id":%q}`, r.PathValue("id"))
	})
	handler := m.Middleware(mux)
	for _, path := range []string{"/users/1", "/users/2", "/nowhere"} {
		handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}

	printSeries(m.Handler(), "groundwork_http_requests_total")
	// Output:
	// groundwork_http_requests_total{code="200",method="GET",route="GET /users/{id}"} 2
	// groundwork_http_requests_total{code="404",method="GET",route="unmatched"} 1
}

func ExampleMetrics_ObserveRateLimitEvent() {
	m := metrics.New(prometheus.NewRegistry(), metrics.Options{})
	limiter := ratelimit.New(ratelimit.NewMemoryStore(ratelimit.MemoryOptions{}),
		ratelimit.Options{OnEvent: m.ObserveRateLimitEvent})

	login := ratelimit.Policy{Name: "login", Limit: 1, Window: time.Minute}
	for range 3 {
		limiter.Allow(context.Background(), "203.0.113.7", login)
	}

	printSeries(m.Handler(), "groundwork_ratelimit_decisions_total")
	// Output:
	// groundwork_ratelimit_decisions_total{outcome="allowed",policy="login"} 1
	// groundwork_ratelimit_decisions_total{outcome="denied",policy="login"} 2
}

func ExampleMetrics_CacheObserver() {
	m := metrics.New(prometheus.NewRegistry(), metrics.Options{})
	users := cache.NewTyped[string](cache.NewMemoryStore(cache.MemoryOptions{}),
		cache.TypedOptions{OnEvent: m.CacheObserver("users")})

	load := func(context.Context) (string, error) { return "alice", nil }
	for range 3 {
		users.GetOrLoad(context.Background(), "user:1", load)
	}

	printSeries(m.Handler(), `groundwork_cache_events_total{cache="users"`)
	// Output:
	// groundwork_cache_events_total{cache="users",event="backend_error"} 0
	// groundwork_cache_events_total{cache="users",event="hit"} 2
	// groundwork_cache_events_total{cache="users",event="load"} 1
	// groundwork_cache_events_total{cache="users",event="load_error"} 0
	// groundwork_cache_events_total{cache="users",event="miss"} 1
}

func ExampleOptions_route() {
	// A router of your own that does not set r.Pattern: Options.Route
	// names its routes.
	router := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/users/") {
			http.NotFound(w, r)
		}
	})
	m := metrics.New(prometheus.NewRegistry(), metrics.Options{
		Route: func(r *http.Request) string {
			if strings.HasPrefix(r.URL.Path, "/users/") {
				return r.Method + " /users/:id"
			}
			return "" // labelled metrics.UnmatchedRoute
		},
	})
	handler := m.Middleware(router)
	for _, path := range []string{"/users/1", "/users/2", "/nowhere"} {
		handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}

	printSeries(m.Handler(), "groundwork_http_requests_total")
	// Output:
	// groundwork_http_requests_total{code="200",method="GET",route="GET /users/:id"} 2
	// groundwork_http_requests_total{code="404",method="GET",route="unmatched"} 1
}
