// Package metrics exposes Groundwork's Prometheus metrics: HTTP middleware
// that counts and times requests by route pattern, method and status code,
// and observers for the metrics hooks of the ratelimit, auth and cache
// packages. It is the only Groundwork package that imports the Prometheus
// client; the others report through plain function hooks, so services that
// do not want Prometheus never link it.
//
// Usage:
//
//	reg := prometheus.NewRegistry()
//	m := metrics.New(reg, metrics.Options{})
//	limiter := ratelimit.New(store, ratelimit.Options{OnEvent: m.ObserveRateLimitEvent})
//	authn, err := auth.NewAuthenticator(tokens, sessions, revocations, auth.Options{OnEvent: m.ObserveAuthEvent})
//	users := cache.NewTyped[User](cacheStore, cache.TypedOptions{OnEvent: m.CacheObserver("users")})
//
//	mux := http.NewServeMux()
//	mux.HandleFunc("GET /api/v1/users/{id}", getUser)
//	mux.Handle("GET /metrics", m.Handler())
//	handler := httpx.Chain(
//		httpx.RequestID,
//		httpx.AccessLog(logger, httpx.AccessLogOptions{}),
//		httpx.Recover,
//		m.Middleware, // inside AccessLog, which replaces the request
//	)(httpx.JSONErrors(mux))
//
// The series are, with the default namespace "groundwork":
//
//	groundwork_http_requests_total{route, method, code}           counter
//	groundwork_http_request_duration_seconds{route, method, code} histogram
//	groundwork_http_requests_in_flight                            gauge
//	groundwork_ratelimit_decisions_total{policy, outcome}         counter
//	groundwork_ratelimit_evictions_total{policy, denied}          counter
//	groundwork_auth_revocation_checks_total{result}               counter
//	groundwork_auth_session_events_total{event}                   counter
//	groundwork_cache_events_total{cache, event}                   counter
//
// Every label is bounded: routes are the router's patterns, read by
// Options.Route (r.Pattern, as http.ServeMux sets it, by default;
// UnmatchedRoute for requests that matched none), methods the nine standard ones (OtherMethod
// for the rest), status codes 101 to 999, and hook values the fixed sets the
// hooks report (OtherValue for anything unknown).
package metrics
