package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/groundwork-go/groundwork/cache"
	"github.com/groundwork-go/groundwork/httpx"
)

// DefaultNamespace prefixes every metric name unless Options.Namespace is
// set.
const DefaultNamespace = "groundwork"

// DefaultBuckets are the upper bounds, in seconds, of the request latency
// histogram unless Options.Buckets is set: 1 ms to 10 s, finer at the low
// end where JSON API handlers served from memory or a warm cache land, and
// reaching the hundreds of milliseconds that password hashing and slow
// database queries take.
var DefaultBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Options configure Metrics. The zero value is ready to use.
type Options struct {
	// Namespace prefixes every metric name, as in
	// "groundwork_http_requests_total". Default: DefaultNamespace.
	Namespace string
	// Buckets are the upper bounds, in seconds, of the request latency
	// histogram, in increasing order. Default: DefaultBuckets.
	Buckets []float64
	// Route returns the route label of a request, called after the handler
	// returns with the request Middleware passed to it; "" is labelled
	// UnmatchedRoute. It must return a bounded set of values (patterns,
	// never paths). Default: httpx.RoutePattern, the pattern http.ServeMux
	// matched.
	Route httpx.RouteFunc
	// Gatherer is what Handler serves. Default: reg, which must then be a
	// prometheus.Gatherer (a *prometheus.Registry is); New panics if it is
	// not and Gatherer is nil.
	Gatherer prometheus.Gatherer
}

// Metrics holds Groundwork's Prometheus collectors: HTTP middleware and
// observers for the hooks of the ratelimit, auth and cache packages. Its
// methods are safe for concurrent use.
type Metrics struct {
	gatherer prometheus.Gatherer
	route    httpx.RouteFunc

	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	inFlight prometheus.Gauge
	series   seriesCache

	rateLimit    *prometheus.CounterVec
	evictions    *prometheus.CounterVec
	revocation   *prometheus.CounterVec
	revocationBy [len(revocationResults)]prometheus.Counter
	session      *prometheus.CounterVec
	sessionBy    [len(sessionEvents)]prometheus.Counter
	cache        *prometheus.CounterVec
	defaultCache func(cache.Event)
}

// New creates the collectors and registers them with reg. A nil reg means
// a new registry of its own, with the Go runtime and process collectors
// also registered, as the default registry has them. New panics if
// registration fails (for example two Metrics with one namespace on one
// registry), as prometheus.MustRegister does.
func New(reg prometheus.Registerer, opts Options) *Metrics {
	if reg == nil {
		r := prometheus.NewRegistry()
		r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		reg = r
	}
	g := opts.Gatherer
	if g == nil {
		var ok bool
		if g, ok = reg.(prometheus.Gatherer); !ok {
			panic("metrics: Options.Gatherer is required when the Registerer is not a prometheus.Gatherer")
		}
	}
	ns := opts.Namespace
	if ns == "" {
		ns = DefaultNamespace
	}
	buckets := opts.Buckets
	if len(buckets) == 0 {
		buckets = DefaultBuckets
	}
	m := &Metrics{gatherer: g, route: opts.Route}
	if m.route == nil {
		m.route = httpx.RoutePattern
	}
	m.newHTTP(ns, buckets)
	m.newObservers(ns)
	reg.MustRegister(m.requests, m.latency, m.inFlight, m.rateLimit, m.evictions, m.revocation, m.session, m.cache)
	return m
}

// newHTTP creates the request collectors.
func (m *Metrics) newHTTP(ns string, buckets []float64) {
	labels := []string{"route", "method", "code"}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: ns, Subsystem: "http", Name: "requests_total",
		Help: "HTTP requests completed, by route pattern, method and status code.",
	}, labels)
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: ns, Subsystem: "http", Name: "request_duration_seconds",
		Help:    "Time to serve HTTP requests, by route pattern, method and status code.",
		Buckets: buckets,
	}, labels)
	m.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: ns, Subsystem: "http", Name: "requests_in_flight",
		Help: "HTTP requests being served.",
	})
	m.series.init(m.requests, m.latency)
}

// Handler serves the metrics in the Prometheus exposition format (or
// OpenMetrics, if the scraper asks for it). A collector that fails does not
// hide the others: the rest are still served.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.gatherer, promhttp.HandlerOpts{
		ErrorHandling:     promhttp.ContinueOnError,
		EnableOpenMetrics: true,
	})
}
