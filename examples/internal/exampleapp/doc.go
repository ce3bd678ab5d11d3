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
//
// An example then adds its own routes on App.Mux, wrapped in Authenticated
// (access token plus the per-user rate limit) or Limited (per-IP limit), and
// calls Serve, which runs the standard middleware stack (request id, client
// IP, access log, panic recovery, JSON errors) and shuts down gracefully when
// its context ends:
//
//	app, err := exampleapp.New(ctx, "push", os.Getenv, os.Stdout)
//	...
//	app.Mux.Handle("POST /api/v1/devices", app.Authenticated(http.HandlerFunc(register)))
//	return app.Serve(ctx)
package exampleapp
