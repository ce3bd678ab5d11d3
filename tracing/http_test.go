package tracing_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/tracing"
)

// serve sends one request through tr.Middleware around mux and returns the
// status.
func serve(tr *tracing.Tracer, h http.Handler, method, target string, header http.Header) int {
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	tr.Middleware(h).ServeHTTP(rec, req)
	return rec.Code
}

func itemsMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(r.PathValue("id"))) })
	mux.HandleFunc("/any", func(w http.ResponseWriter, r *http.Request) {})
	return mux
}

// TestMiddlewareNamesSpansByRoute checks the server span's name: the
// method and route pattern after routing (http.route too), the method
// alone for a request no route matched, and "HTTP" for a method outside
// the standard ones, so names stay a bounded set.
func TestMiddlewareNamesSpansByRoute(t *testing.T) {
	tr, rec, _ := newRecorded(t, tracing.Options{})
	mux := itemsMux()
	tests := []struct {
		method, target, name, route string
		status                      int
	}{
		{"GET", "/items/7", "GET /items/{id}", "/items/{id}", 200},
		{"GET", "/nowhere/7", "GET", "", 404},
		{"BREW", "/any", "HTTP /any", "/any", 200},
	}
	for _, tt := range tests {
		if got := serve(tr, mux, tt.method, tt.target, nil); got != tt.status {
			t.Fatalf("%s %s: status %d, want %d", tt.method, tt.target, got, tt.status)
		}
	}
	spans := rec.Ended()
	if len(spans) != len(tests) {
		t.Fatalf("spans = %v, want %d", names(spans), len(tests))
	}
	for i, tt := range tests {
		s := spans[i]
		route, hasRoute := attr(s, "http.route")
		status, _ := attr(s, "http.response.status_code")
		if s.Name() != tt.name || route.AsString() != tt.route || hasRoute != (tt.route != "") || status.AsInt64() != int64(tt.status) ||
			s.SpanKind() != trace.SpanKindServer || s.Parent().IsValid() {
			t.Errorf("%s %s: span %q route %q status %d kind %v parent %v, want %q route %q status %d, a server root span",
				tt.method, tt.target, s.Name(), route.AsString(), status.AsInt64(), s.SpanKind(), s.Parent().SpanID(), tt.name, tt.route, tt.status)
		}
	}
}

// TestMiddlewareRouteFunc checks that Options.Route names the span, for
// routers that keep their pattern elsewhere than r.Pattern.
func TestMiddlewareRouteFunc(t *testing.T) {
	tr, rec, _ := newRecorded(t, tracing.Options{Route: func(r *http.Request) string { return "/users/{id}" }})
	serve(tr, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), "DELETE", "/users/42", nil)
	if spans := rec.Ended(); len(spans) != 1 || spans[0].Name() != "DELETE /users/{id}" {
		t.Fatalf("spans = %v, want [DELETE /users/{id}]", names(spans))
	}
}

const (
	clientTraceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	clientSpanID  = "00f067aa0ba902b7"
	traceparent   = "00-" + clientTraceID + "-" + clientSpanID + "-01"
)

// TestMiddlewareContinuesClientTrace checks W3C trace context: the
// client's traceparent is the request span's parent, and the handler's
// context carries the request span.
func TestMiddlewareContinuesClientTrace(t *testing.T) {
	tr, rec, _ := newRecorded(t, tracing.Options{})
	var inHandler trace.SpanContext
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { inHandler = trace.SpanContextFromContext(r.Context()) })
	serve(tr, h, "GET", "/", http.Header{"Traceparent": {traceparent}})
	spans := rec.Ended()
	if len(spans) != 1 {
		t.Fatalf("spans = %v, want 1", names(spans))
	}
	s := spans[0]
	if s.SpanContext().TraceID().String() != clientTraceID || s.Parent().SpanID().String() != clientSpanID || !s.Parent().IsRemote() {
		t.Errorf("span in trace %s with parent %s, want trace %s parent %s (remote)", s.SpanContext().TraceID(), s.Parent().SpanID(), clientTraceID, clientSpanID)
	}
	if inHandler.SpanID() != s.SpanContext().SpanID() {
		t.Errorf("the handler's context carries span %s, want the request span %s", inHandler.SpanID(), s.SpanContext().SpanID())
	}
}

// TestMiddlewarePublicEndpoint checks Options.PublicEndpoint: a new trace,
// linked to the client's.
func TestMiddlewarePublicEndpoint(t *testing.T) {
	tr, rec, _ := newRecorded(t, tracing.Options{PublicEndpoint: true})
	serve(tr, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), "GET", "/", http.Header{"Traceparent": {traceparent}})
	spans := rec.Ended()
	if len(spans) != 1 {
		t.Fatalf("spans = %v, want 1", names(spans))
	}
	s := spans[0]
	links := s.Links()
	if s.Parent().IsValid() || s.SpanContext().TraceID().String() == clientTraceID || len(links) != 1 ||
		links[0].SpanContext.TraceID().String() != clientTraceID {
		t.Errorf("span parent %v trace %s links %v, want a root of a new trace linked to %s", s.Parent().SpanID(), s.SpanContext().TraceID(), links, clientTraceID)
	}
}

// TestClientPropagatesTraceContext checks Client and Transport: a client
// span per request, a child of the caller's span, whose context reaches
// the server in traceparent.
func TestClientPropagatesTraceContext(t *testing.T) {
	tr, rec, tp := newRecorded(t, tracing.Options{})
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Get("Traceparent")
		io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	ctx, parent := tp.Tracer("test").Start(context.Background(), "signup")
	req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/emails", nil)
	resp, err := tr.Client(nil).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	parent.End()

	var client trace.SpanContext
	for _, s := range rec.Ended() {
		if s.SpanKind() == trace.SpanKindClient {
			client = s.SpanContext()
			if s.Parent().SpanID() != parent.SpanContext().SpanID() {
				t.Errorf("client span's parent %s, want %s", s.Parent().SpanID(), parent.SpanContext().SpanID())
			}
		}
	}
	if !client.IsValid() {
		t.Fatalf("spans = %v, want a client span", names(rec.Ended()))
	}
	if want := "00-" + client.TraceID().String() + "-" + client.SpanID().String() + "-01"; got != want {
		t.Errorf("traceparent sent = %q, want %q", got, want)
	}
}

// TestClientSpanHidesQuery checks that an outbound request is sent with
// its query string and that its span records the URL without it.
func TestClientSpanHidesQuery(t *testing.T) {
	tr, rec, _ := newRecorded(t, tracing.Options{})
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.RawQuery
	}))
	t.Cleanup(srv.Close)
	resp, err := tr.Client(nil).Get(srv.URL + "/v1/send?key=secret-api-key&sig=abc")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got != "key=secret-api-key&sig=abc" {
		t.Errorf("query received = %q, want the one sent", got)
	}
	spans := rec.Ended()
	if len(spans) != 1 {
		t.Fatalf("spans = %v, want one client span", names(spans))
	}
	full, ok := attr(spans[0], "url.full")
	if !ok || full.AsString() != srv.URL+"/v1/send" {
		t.Errorf("url.full = %q (%v), want %q", full.AsString(), ok, srv.URL+"/v1/send")
	}
	for _, kv := range spans[0].Attributes() {
		if strings.Contains(kv.Value.Emit(), "secret-api-key") {
			t.Errorf("attribute %s carries the query: %q", kv.Key, kv.Value.Emit())
		}
	}
}

// TestMiddlewareClientAddress checks that client.address is the client IP
// httpx.ClientIP resolved, in the order the package example gives: a
// forwarding header from an untrusted peer does not change it, one from a
// trusted proxy does.
func TestMiddlewareClientAddress(t *testing.T) {
	tr, rec, _ := newRecorded(t, tracing.Options{})
	proxies, err := httpx.ParseTrustedProxies("192.0.2.0/24")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		trusted httpx.TrustedProxies
		want    string
	}{
		{"untrusted peer", httpx.TrustedProxies{}, "192.0.2.1"},
		{"trusted proxy", proxies, "203.0.113.9"},
	}
	for _, tt := range tests {
		rec.Reset()
		h := httpx.Chain(httpx.RequestID, tr.Middleware, httpx.ClientIP(tt.trusted))(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		req := httptest.NewRequest("GET", "/", nil) // from 192.0.2.1
		req.Header.Set("X-Forwarded-For", "203.0.113.9")
		h.ServeHTTP(httptest.NewRecorder(), req)
		spans := rec.Ended()
		if len(spans) != 1 {
			t.Fatalf("%s: spans = %v, want 1", tt.name, names(spans))
		}
		if got, _ := attr(spans[0], "client.address"); got.AsString() != tt.want {
			t.Errorf("%s: client.address = %q, want %q", tt.name, got.AsString(), tt.want)
		}
	}
}
