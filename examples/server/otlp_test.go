package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"go.opentelemetry.io/otel"

	"github.com/groundwork-go/groundwork/examples/internal/exampletest"
)

// TestOTLPExportFromEnvironment checks the example server's tracing set-up:
// OTEL_EXPORTER_OTLP_ENDPOINT turns tracing on, the spans reach the
// collector over OTLP/HTTP under OTEL_SERVICE_NAME, and shutting the
// provider down flushes them.
func TestOTLPExportFromEnvironment(t *testing.T) {
	col := &exampletest.Collector{}
	srv := httptest.NewServer(col)
	t.Cleanup(srv.Close)
	env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": srv.URL, "OTEL_SERVICE_NAME": "groundwork-test"}
	for k, v := range env {
		t.Setenv(k, v) // the exporter and the resource read the process environment
	}
	prevTP, prevProp := otel.GetTracerProvider(), otel.GetTextMapPropagator()
	t.Cleanup(func() {
		otel.SetTracerProvider(prevTP)
		otel.SetTextMapPropagator(prevProp)
	})
	cfg, err := loadConfig(envFrom(env))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.tracingEnabled() {
		t.Fatal("tracing is off with OTEL_EXPORTER_OTLP_ENDPOINT set")
	}
	tp, err := newTracerProvider(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := startTracedServer(t, nil, tp)
	resp, err := http.Get(s.URL + "/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	s.Close() // the request's span has ended once the server has closed
	if err := shutdownTracing(tp, cfg.ShutdownTimeout); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	spans, services := col.Spans(), col.Services()
	if !slices.Contains(spans, "GET /health") || len(services) == 0 || services[0] != "groundwork-test" {
		t.Errorf("collector got spans %v from services %v, want GET /health from groundwork-test", spans, services)
	}
}

// TestTracingSwitch checks which variables turn tracing on.
func TestTracingSwitch(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want bool
	}{
		{nil, false},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, true},
		{map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://collector/v1/traces"}, true},
		{map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, true},
		{map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, false},
	}
	for _, tt := range tests {
		cfg, err := loadConfig(envFrom(tt.env))
		if err != nil {
			t.Fatalf("%v: %v", tt.env, err)
		}
		if got := cfg.tracingEnabled(); got != tt.want {
			t.Errorf("%v: tracing %v, want %v", tt.env, got, tt.want)
		}
	}
	for _, bad := range []map[string]string{
		{"OTEL_TRACES_EXPORTER": "jaeger"},
		{"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"},
	} {
		if _, err := loadConfig(envFrom(bad)); err == nil {
			t.Errorf("%v: accepted", bad)
		}
	}
}
