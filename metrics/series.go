package metrics

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// seriesKey identifies one request series. Its fields hold label values
// already bounded by the middleware.
type seriesKey struct {
	route  string
	method string
	code   int
}

// series is one request series' counter and histogram, looked up once.
type series struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

// seriesCache remembers the children of the request vectors by key, so a
// request costs one map lookup under a read lock instead of hashing its
// label values in both vectors. The number of keys is bounded by the
// routes, methods and status codes the labels allow.
type seriesCache struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec

	mu sync.RWMutex
	m  map[seriesKey]series
}

func (c *seriesCache) init(requests *prometheus.CounterVec, latency *prometheus.HistogramVec) {
	c.requests, c.latency = requests, latency
	c.m = make(map[seriesKey]series)
}

// get returns the series for k, creating it on first use.
func (c *seriesCache) get(k seriesKey) series {
	c.mu.RLock()
	s, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return s
	}
	code := codeLabel(k.code)
	s = series{
		requests: c.requests.WithLabelValues(k.route, k.method, code),
		latency:  c.latency.WithLabelValues(k.route, k.method, code),
	}
	c.mu.Lock()
	c.m[k] = s
	c.mu.Unlock()
	return s
}
