package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// BenchmarkWarmMe is GET /api/v1/users/me through the whole middleware
// stack (request ID, client IP, security headers, CORS, access log,
// recovery, metrics, Bearer auth with revocation check, per-user rate
// limit, cached profile), in process: the server's own cost per request,
// without the network. With REDIS_URL set the limiter and revocation
// store are the real Redis ones. Tracing is off, as without OTEL_* set.
func BenchmarkWarmMe(b *testing.B) { benchWarmMe(b, nil) }

// BenchmarkWarmMeTraced is BenchmarkWarmMe with tracing on: every span is
// sampled and handed, in batches, to an exporter that discards it, as an
// OTLP exporter would send it.
func BenchmarkWarmMeTraced(b *testing.B) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	b.Cleanup(func() { tp.Shutdown(context.Background()) })
	benchWarmMe(b, tp)
}

func benchWarmMe(b *testing.B, tp trace.TracerProvider) {
	s := startTracedServer(b, map[string]string{"RATE_LIMIT_USER": "1000000", "RATE_LIMIT_WINDOW": "1", "LOG_LEVEL": "warn"}, tp)
	h := s.app.Handler()
	signup := httptest.NewRequest("POST", "/api/v1/auth/signup", strings.NewReader(signupValues("bencher").Encode()))
	signup.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, signup)
	var pair struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &pair); err != nil || rec.Code != http.StatusCreated {
		b.Fatalf("signup: %d %s", rec.Code, rec.Body)
	}
	access := pair.AccessToken
	req := httptest.NewRequest("GET", "/api/v1/users/me", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	req.RemoteAddr = "127.0.0.1:40000"
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("warm-up: %d %s", rec.Code, rec.Body)
	}
	b.ReportAllocs()
	b.SetParallelism(64) // many connections, as under load: rueidis pipelines
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := req.Clone(req.Context())
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Errorf("status %d", w.Code)
				return
			}
		}
	})
}
