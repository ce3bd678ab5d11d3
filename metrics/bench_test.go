package metrics_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/groundwork-go/groundwork/auth"
	"github.com/groundwork-go/groundwork/metrics"
)

// discardWriter is a ResponseWriter that allocates nothing per request.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

func BenchmarkMiddleware(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /things/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
	})
	m := metrics.New(prometheus.NewRegistry(), metrics.Options{})
	handlers := []struct {
		name string
		h    http.Handler
	}{
		{"mux", mux},
		{"metrics+mux", m.Middleware(mux)},
	}
	for _, hh := range handlers {
		b.Run(hh.name, func(b *testing.B) {
			b.ReportAllocs()
			r := httptest.NewRequest("GET", "/things/42", nil)
			w := &discardWriter{h: http.Header{}}
			for b.Loop() {
				hh.h.ServeHTTP(w, r)
			}
		})
		b.Run(hh.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				r := httptest.NewRequest("GET", "/things/42", nil)
				w := &discardWriter{h: http.Header{}}
				for pb.Next() {
					hh.h.ServeHTTP(w, r)
				}
			})
		})
	}
}

func BenchmarkObservers(b *testing.B) {
	m := metrics.New(prometheus.NewRegistry(), metrics.Options{})
	b.ReportAllocs()
	for b.Loop() {
		m.ObserveAuthEvent(auth.Event{Kind: auth.EventCheckOK})
		m.ObserveCacheEvent(1)
	}
}
