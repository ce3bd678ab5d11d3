package tracing

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/groundwork-go/groundwork/httpx"
)

// Middleware starts a server span per request, a child of the trace
// context the request carries (W3C traceparent by default; see
// Options.PublicEndpoint), with the OpenTelemetry HTTP attributes and the
// response status. The span is named by the method until the handler
// returns, then after the route Options.Route returns, as in
// "GET /api/v1/users/{id}", which it also records as http.route; requests
// that matched no route keep the method alone, so span names stay a
// bounded set. Its client.address is httpx.ClientIPFromRequest's, not the
// left-most X-Forwarded-For entry: the client IP that httpx.ClientIP
// resolved with its trusted proxies when httpx.RequestID runs before
// Middleware and httpx.ClientIP inside it (their state is then shared),
// else the connection's peer address.
//
// With the default Options.Route (r.Pattern), place Middleware so that no
// middleware between it and the mux replaces the request (with
// r.WithContext, say), or the route is not seen. Its span covers the
// middleware inside it.
func (t *Tracer) Middleware(next http.Handler) http.Handler {
	named := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		span := trace.SpanFromContext(r.Context())
		if route := routePath(t.route(r)); route != "" {
			span.SetName(spanName(r.Method, route))
			span.SetAttributes(semconv.HTTPRoute(route))
		}
		if ip := httpx.ClientIPFromRequest(r); ip.IsValid() {
			span.SetAttributes(semconv.ClientAddress(ip.String()))
		}
	})
	opts := []otelhttp.Option{
		otelhttp.WithTracerProvider(t.provider),
		otelhttp.WithPropagators(t.propagator),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string {
			return spanName(r.Method, routePath(t.route(r)))
		}),
	}
	if t.public {
		opts = append(opts, otelhttp.WithPublicEndpointFn(func(*http.Request) bool { return true }))
	}
	return otelhttp.NewHandler(named, "", opts...)
}

// Transport returns base with a client span per request, carrying the
// trace context in the request's headers. A nil base means
// http.DefaultTransport. The span's url.full leaves out the query string,
// where API keys and signatures often travel; the request is sent with it.
func (t *Tracer) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	traced := otelhttp.NewTransport(restoreQuery{base}, otelhttp.WithTracerProvider(t.provider), otelhttp.WithPropagators(t.propagator))
	return hideQuery{traced}
}

// heldQuery is the context key under which hideQuery keeps a request's
// query string for restoreQuery.
type heldQuery struct{}

// hideQuery hands the traced transport a copy of the request without its
// query string, kept in the context.
type hideQuery struct{ next http.RoundTripper }

func (h hideQuery) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.RawQuery == "" && !req.URL.ForceQuery {
		return h.next.RoundTrip(req)
	}
	hidden := req.Clone(context.WithValue(req.Context(), heldQuery{}, *req.URL))
	hidden.URL.RawQuery, hidden.URL.ForceQuery = "", false
	return h.next.RoundTrip(hidden)
}

// restoreQuery sends the request with the URL hideQuery kept.
type restoreQuery struct{ next http.RoundTripper }

func (r restoreQuery) RoundTrip(req *http.Request) (*http.Response, error) {
	u, ok := req.Context().Value(heldQuery{}).(url.URL)
	if !ok {
		return r.next.RoundTrip(req)
	}
	sent := req.Clone(req.Context())
	sent.URL.RawQuery, sent.URL.ForceQuery = u.RawQuery, u.ForceQuery
	return r.next.RoundTrip(sent)
}

// Client returns a copy of c whose requests are traced by Transport. A nil
// c means a zero http.Client (no timeout): pass the client with the
// timeout the service layer would otherwise use.
func (t *Tracer) Client(c *http.Client) *http.Client {
	var cp http.Client
	if c != nil {
		cp = *c
	}
	cp.Transport = t.Transport(cp.Transport)
	return &cp
}

// routePath is the path part of a route pattern: http.ServeMux patterns
// are "[METHOD ][HOST]/PATH"; other routers' are paths already.
func routePath(pattern string) string {
	if i := strings.IndexByte(pattern, '/'); i >= 0 {
		return pattern[i:]
	}
	return ""
}

// standardMethods are the request methods a span name may carry; any
// other is named "HTTP", so that clients cannot add names.
var standardMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodConnect: true, http.MethodOptions: true,
	http.MethodTrace: true,
}

// spanName is "METHOD /route", or the method alone when route is "".
func spanName(method, route string) string {
	if !standardMethods[method] {
		method = "HTTP"
	}
	if route == "" {
		return method
	}
	return method + " " + route
}
