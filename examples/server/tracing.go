package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/groundwork-go/groundwork/tracehook"
	"github.com/groundwork-go/groundwork/tracing"
)

// mailTimeout bounds one exchange with the mail provider, as the mail
// packages' own default client does.
const mailTimeout = 30 * time.Second

// newTracerProvider returns the provider that exports spans over
// OTLP/HTTP, or nil when tracing is off (see config.tracingEnabled). The
// exporter and the sampler read the rest of the OTEL_* variables
// themselves. It also becomes the global provider, which the Google-based
// service layers report to.
func newTracerProvider(ctx context.Context, cfg *config) (*sdktrace.TracerProvider, error) {
	if !cfg.tracingEnabled() {
		return nil, nil
	}
	exporter, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("tracing: OTLP exporter: %w", err)
	}
	// Later detectors win: OTEL_RESOURCE_ATTRIBUTES may name the service too.
	res, err := resource.New(ctx, resource.WithTelemetrySDK(),
		resource.WithAttributes(semconv.ServiceName(cfg.ServiceName), semconv.ServiceVersion(version)),
		resource.WithFromEnv())
	if err != nil {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	return tp, nil
}

// shutdownTracing flushes the spans not yet exported, waiting at most
// timeout.
func shutdownTracing(tp *sdktrace.TracerProvider, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return tp.Shutdown(ctx)
}

// newTracer adapts tp for the library's hooks, or returns nil when tp is
// nil (tracing off).
func newTracer(tp trace.TracerProvider) *tracing.Tracer {
	if tp == nil {
		return nil
	}
	return tracing.New(tp, tracing.Options{})
}

// traceHook is the tracehook.Start of the library's options: nil when
// tracing is off, so the hooks cost one nil check.
func (a *app) traceHook() tracehook.Start {
	if a.tracer == nil {
		return nil
	}
	return a.tracer.Start
}

// tracedHTTPClient returns a client for the service layers' outbound
// calls with timeout, traced when tracing is on, or nil (the package's
// default client) when it is off.
func (a *app) tracedHTTPClient(timeout time.Duration) *http.Client {
	if a.tracer == nil {
		return nil
	}
	return a.tracer.Client(&http.Client{Timeout: timeout})
}
