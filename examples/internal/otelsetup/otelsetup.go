// Package otelsetup turns OpenTelemetry tracing on for the example
// programs from the standard OTEL_* environment variables: spans are
// exported over OTLP/HTTP when an endpoint is named or OTEL_TRACES_EXPORTER
// is otlp, and tracing is off (at no cost) otherwise.
package otelsetup

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

	"github.com/groundwork-go/groundwork/tracehook"
	"github.com/groundwork-go/groundwork/tracing"
)

// Enabled reports whether spans are exported, from the values of
// OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_ENDPOINT and
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: the exporter otlp turns tracing on,
// none turns it off, and when it is unset an endpoint turns it on.
func Enabled(exporter, endpoint, tracesEndpoint string) bool {
	switch exporter {
	case "otlp":
		return true
	case "none":
		return false
	}
	return endpoint != "" || tracesEndpoint != ""
}

// NewProvider returns a provider that exports spans over OTLP/HTTP under
// serviceName and version (OTEL_RESOURCE_ATTRIBUTES may override them; the
// exporter and the sampler read the other OTEL_* variables themselves). It
// becomes the global provider, which the Google-based service layers
// report to, with W3C trace context and baggage as the global propagator.
func NewProvider(ctx context.Context, serviceName, version string) (*sdktrace.TracerProvider, error) {
	exporter, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("tracing: OTLP exporter: %w", err)
	}
	// Later detectors win: OTEL_RESOURCE_ATTRIBUTES may name the service too.
	attrs := []resource.Option{resource.WithTelemetrySDK(), resource.WithAttributes(semconv.ServiceName(serviceName))}
	if version != "" {
		attrs = append(attrs, resource.WithAttributes(semconv.ServiceVersion(version)))
	}
	res, err := resource.New(ctx, append(attrs, resource.WithFromEnv())...)
	if err != nil {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	return tp, nil
}

// Shutdown flushes the spans tp has not exported yet, waiting at most
// timeout.
func Shutdown(tp *sdktrace.TracerProvider, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return tp.Shutdown(ctx)
}

// Hook returns the tracehook.Start of the library's options: t's, or nil
// when t is nil (tracing off), so that the hooks cost one nil check.
func Hook(t *tracing.Tracer) tracehook.Start {
	if t == nil {
		return nil
	}
	return t.Start
}

// Client returns a client for a service layer's outbound calls, bounded by
// timeout: traced by t, or nil (the service layer's default client) when t
// is nil.
func Client(t *tracing.Tracer, timeout time.Duration) *http.Client {
	if t == nil {
		return nil
	}
	return t.Client(&http.Client{Timeout: timeout})
}
