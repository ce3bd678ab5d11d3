package main

import (
	"context"
	"net/http"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/groundwork-go/groundwork/examples/internal/otelsetup"
	"github.com/groundwork-go/groundwork/tracehook"
	"github.com/groundwork-go/groundwork/tracing"
)

// mailTimeout bounds one exchange with the mail provider, as the mail
// packages' own default client does.
const mailTimeout = 30 * time.Second

// newTracerProvider returns the provider that exports spans over
// OTLP/HTTP, or nil when tracing is off (see config.tracingEnabled); it
// also becomes the global provider.
func newTracerProvider(ctx context.Context, cfg *config) (*sdktrace.TracerProvider, error) {
	if !cfg.tracingEnabled() {
		return nil, nil
	}
	return otelsetup.NewProvider(ctx, cfg.ServiceName, version)
}

// shutdownTracing flushes the spans not yet exported, waiting at most
// timeout.
func shutdownTracing(tp *sdktrace.TracerProvider, timeout time.Duration) error {
	return otelsetup.Shutdown(tp, timeout)
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
func (a *app) traceHook() tracehook.Start { return otelsetup.Hook(a.tracer) }

// tracedHTTPClient returns a client for the service layers' outbound
// calls with timeout, traced when tracing is on, or nil (the package's
// default client) when it is off.
func (a *app) tracedHTTPClient(timeout time.Duration) *http.Client {
	return otelsetup.Client(a.tracer, timeout)
}
