// Package exampleapp is the wiring the integration examples share, so that
// each example's main.go shows only its integration.
//
// An App reads the common settings from the environment (Env), opens the
// users database (DATABASE_URL, an SQLite file by default), applies the users
// migrations, builds Groundwork's authenticator on durable sessions and a
// rate limiter, and registers the account routes every example needs:
//
//	POST /api/v1/auth/signup    a password account, answered with a token pair
//	POST /api/v1/auth/login     the same for an existing account
//	POST /api/v1/auth/refresh   a new pair for a refresh token
//	POST /api/v1/auth/logout    ends the session (authenticated)
//	GET  /health                liveness
//	GET  /metrics               Prometheus metrics (unless METRICS_ENABLED=false)
//
// An example adds its own routes on App.Mux in a Setup function, wrapped in
// Authenticated (access token plus the per-user rate limit) or Limited
// (per-IP limit), and hands it to Main, which builds the App from the
// process environment and serves it behind the standard middleware stack
// (request id, tracing when the OTEL_* variables turn it on, client IP,
// access log, panic recovery, metrics, JSON errors)
// until SIGINT or SIGTERM, then shuts down gracefully:
//
//	func main() {
//		exampleapp.Main("push", 8803, func(ctx context.Context, app *exampleapp.App) error {
//			app.Mux.Handle("POST /api/v1/devices", app.Authenticated(exampleapp.ForUser(register)))
//			return nil
//		})
//	}
//
// Tests build the same App with Build and serve App.Handler.
package exampleapp
