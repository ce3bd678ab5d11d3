package tracing_test

import (
	"context"
	"errors"
	"testing"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/groundwork-go/groundwork/tracehook"
	"github.com/groundwork-go/groundwork/tracing"
)

// TestStartMakesChildSpans checks the tracehook adapter: an internal span
// that is a child of the context's span, with the attributes given at its
// start and at its end, failed with the error's text when there is one.
func TestStartMakesChildSpans(t *testing.T) {
	tr, rec, tp := newRecorded(t, tracing.Options{})
	ctx, parent := tp.Tracer("test").Start(context.Background(), "parent")
	cctx, end := tr.Start(ctx, "ratelimit.allow", tracehook.String("groundwork.ratelimit.policy", "strict"))
	if got := trace.SpanContextFromContext(cctx); got.SpanID() == parent.SpanContext().SpanID() || !got.IsValid() {
		t.Fatalf("the context Start returns carries span %v, want a new span", got.SpanID())
	}
	end(nil, tracehook.Bool("groundwork.ratelimit.allowed", true), tracehook.Int("groundwork.n", 3))
	_, end = tr.Start(ctx, "argon2id.hash")
	end(errors.New("no hashing slot"))
	parent.End()

	spans := rec.Ended()
	if len(spans) != 3 {
		t.Fatalf("spans = %v, want 3", names(spans))
	}
	ok, failed := spans[0], spans[1]
	for _, s := range spans[:2] {
		if s.Parent().SpanID() != parent.SpanContext().SpanID() || s.SpanKind() != trace.SpanKindInternal {
			t.Errorf("%s: parent %v kind %v, want parent %v kind internal", s.Name(), s.Parent().SpanID(), s.SpanKind(), parent.SpanContext().SpanID())
		}
		if s.InstrumentationScope().Name != tracing.ScopeName {
			t.Errorf("%s: scope %q, want %q", s.Name(), s.InstrumentationScope().Name, tracing.ScopeName)
		}
	}
	if v, _ := attr(ok, "groundwork.ratelimit.policy"); ok.Name() != "ratelimit.allow" || v.AsString() != "strict" {
		t.Errorf("span %s policy %q, want ratelimit.allow strict", ok.Name(), v.AsString())
	}
	if v, _ := attr(ok, "groundwork.ratelimit.allowed"); !v.AsBool() {
		t.Error("the attribute given to End is missing")
	}
	if v, _ := attr(ok, "groundwork.n"); v.AsInt64() != 3 {
		t.Errorf("int attribute = %v, want 3", v.AsInt64())
	}
	if ok.Status().Code != codes.Unset {
		t.Errorf("status of a span ended without error = %v, want unset", ok.Status())
	}
	if st := failed.Status(); st.Code != codes.Error || st.Description != "no hashing slot" {
		t.Errorf("status of a failed span = %+v, want error \"no hashing slot\"", st)
	}
}

// TestStartUnsampled checks that a span the sampler drops is not recorded
// and that its End is safe.
func TestStartUnsampled(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec), sdktrace.WithSampler(sdktrace.NeverSample()))
	tr := tracing.New(tp, tracing.Options{})
	_, end := tr.Start(context.Background(), "argon2id.hash", tracehook.String("k", "v"))
	end(errors.New("x"), tracehook.Bool("b", true))
	if n := len(rec.Ended()) + len(rec.Started()); n != 0 {
		t.Errorf("recorded %d spans, want 0", n)
	}
}
