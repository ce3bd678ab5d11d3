package tracing

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/tracehook"
)

// ScopeName is the instrumentation scope of the spans a Tracer starts
// itself (hooks, Redis commands).
const ScopeName = "github.com/groundwork-go/groundwork/tracing"

// Options configure a Tracer. The zero value is ready to use.
type Options struct {
	// Propagator reads the trace context of incoming requests and writes
	// it into outgoing ones. Default: propagation.TraceContext, the W3C
	// traceparent and tracestate headers.
	Propagator propagation.TextMapPropagator
	// Route returns the route pattern a request span is named after,
	// called after the handler returns with the request Middleware passed
	// on. Default: httpx.RoutePattern, the pattern http.ServeMux matched.
	Route httpx.RouteFunc
	// PublicEndpoint makes every request span the root of a new trace,
	// linked to the client's trace context rather than its child, for a
	// server whose clients are not trusted to choose trace IDs. Default
	// false: the client's traceparent is the request span's parent.
	PublicEndpoint bool
}

// Tracer makes spans with one trace.TracerProvider. Its methods are safe
// for concurrent use.
type Tracer struct {
	provider   trace.TracerProvider
	tracer     trace.Tracer
	propagator propagation.TextMapPropagator
	route      httpx.RouteFunc
	public     bool
}

// New returns a Tracer reporting to provider; nil means the global
// provider (otel.GetTracerProvider).
func New(provider trace.TracerProvider, opts Options) *Tracer {
	if provider == nil {
		provider = otel.GetTracerProvider()
	}
	if opts.Propagator == nil {
		opts.Propagator = propagation.TraceContext{}
	}
	if opts.Route == nil {
		opts.Route = httpx.RoutePattern
	}
	return &Tracer{provider: provider, tracer: provider.Tracer(ScopeName), propagator: opts.Propagator,
		route: opts.Route, public: opts.PublicEndpoint}
}

var _ tracehook.Start = (*Tracer)(nil).Start

// Start implements tracehook.Start: it starts an internal span named name
// with attrs, a child of ctx's span. The End it returns sets the status to
// Error with err's text when err is not nil.
func (t *Tracer) Start(ctx context.Context, name string, attrs ...tracehook.Attr) (context.Context, tracehook.End) {
	ctx, span := t.tracer.Start(ctx, name, trace.WithAttributes(convert(attrs)...))
	if !span.IsRecording() {
		return ctx, endNothing
	}
	return ctx, func(err error, attrs ...tracehook.Attr) {
		if len(attrs) > 0 {
			span.SetAttributes(convert(attrs)...)
		}
		endSpan(span, err)
	}
}

// endNothing ends a span that records nothing (not sampled).
func endNothing(error, ...tracehook.Attr) {}

// endSpan marks span failed when err is not nil, then ends it.
func endSpan(span trace.Span, err error) {
	if err != nil {
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

// convert returns attrs as OpenTelemetry attributes.
func convert(attrs []tracehook.Attr) []attribute.KeyValue {
	if len(attrs) == 0 {
		return nil
	}
	kv := make([]attribute.KeyValue, len(attrs))
	for i, a := range attrs {
		switch v := a.Value.(type) {
		case string:
			kv[i] = attribute.String(a.Key, v)
		case int64:
			kv[i] = attribute.Int64(a.Key, v)
		case int:
			kv[i] = attribute.Int(a.Key, v)
		case bool:
			kv[i] = attribute.Bool(a.Key, v)
		default:
			kv[i] = attribute.String(a.Key, fmt.Sprint(v))
		}
	}
	return kv
}
