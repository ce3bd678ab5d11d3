package tracing_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/ratelimit"
	"github.com/groundwork-go/groundwork/tracing"
)

func ExampleNew() {
	spans := tracetest.NewSpanRecorder() // in production: an OTLP exporter
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	tr := tracing.New(tp, tracing.Options{})

	limiter := ratelimit.New(ratelimit.NewMemoryStore(ratelimit.MemoryOptions{}), ratelimit.Options{Trace: tr.Start})
	perIP := ratelimit.Policy{Name: "default", Limit: 100, Window: time.Minute}
	mux := http.NewServeMux()
	mux.Handle("GET /items/{id}", limiter.Middleware(perIP, ratelimit.ByIP)(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, r.PathValue("id")) })))
	handler := httpx.Chain(httpx.RequestID, tr.Middleware, httpx.Recover)(httpx.JSONErrors(mux))

	handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/items/7", nil))
	for _, s := range spans.Ended() {
		fmt.Println(s.Name())
	}
	// Output:
	// ratelimit.allow
	// GET /items/{id}
}

func ExampleTracer_Client() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("traceparent sent:", r.Header.Get("Traceparent") != "")
	}))
	defer api.Close()
	spans := tracetest.NewSpanRecorder()
	tr := tracing.New(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)), tracing.Options{})

	// For example mail.Config.HTTPClient, or iap/appstore's ClientOptions.HTTPClient.
	client := tr.Client(&http.Client{Timeout: 30 * time.Second})
	req, _ := http.NewRequestWithContext(context.Background(), "POST", api.URL+"/emails", nil)
	resp, err := client.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	for _, s := range spans.Ended() {
		fmt.Println(s.Name(), s.SpanKind())
	}
	// Output:
	// traceparent sent: true
	// HTTP POST client
}
