// Package tracing adapts Groundwork to OpenTelemetry tracing. It is the one
// Groundwork package that imports OpenTelemetry: the others report spans
// through their tracehook.Start options, so a service without tracing
// links none of it, and a service with tracing turned off pays one nil
// check per hook.
//
// A Tracer made from a trace.TracerProvider provides:
//
//   - Middleware: a server span per request (otelhttp), named after the
//     route pattern ("GET /api/v1/users/{id}"), a child of the W3C trace
//     context the client sent in traceparent;
//   - Start, the tracehook.Start for the options of ratelimit, users and
//     auth (rate-limit decisions, argon2id hashing, revocation checks);
//   - Redis, a rueidis.Client whose commands are spans (replies from
//     client-side caching are not: they never reach the network);
//   - OpenSQL and WrapSQLDriver, a database/sql pool or driver whose
//     statements are spans (otelsql);
//   - Transport and Client, an http.RoundTripper and an http.Client whose
//     outbound requests are spans carrying the trace context (their URLs
//     recorded without the query string), for the HTTPClient and Transport
//     options of the service layers.
//
// Usage:
//
//	tr := tracing.New(tracerProvider, tracing.Options{})
//	redis := tr.Redis(redisClient)
//	limiter := ratelimit.New(store, ratelimit.Options{Trace: tr.Start})
//	hasher := users.NewHasher(users.HasherOptions{Trace: tr.Start})
//	mailer, err := mail.NewSenderFromConfig(mail.Config{ /* ... */
//		HTTPClient: tr.Client(&http.Client{Timeout: 30 * time.Second})}, mail.SenderOptions{})
//	handler := httpx.Chain(
//		httpx.RequestID,
//		tr.Middleware, // no middleware below it replaces the request
//		httpx.AccessLog(logger, httpx.AccessLogOptions{}),
//		httpx.Recover,
//	)(httpx.JSONErrors(mux))
//
// The Google-based service layers (storage/gcs, storage/firestore,
// notify/fcm, auth/firebase/users) build their authenticated HTTP clients
// with OpenTelemetry instrumentation of their own, which reports to the
// global provider (otel.SetTracerProvider).
package tracing
