package httpx

import "net/http"

// Middleware wraps a handler with behaviour that runs around it.
type Middleware = func(http.Handler) http.Handler

// Chain composes middleware so that the first listed is the outermost:
// Chain(a, b)(h) serves a(b(h)).
func Chain(mw ...Middleware) Middleware {
	return func(h http.Handler) http.Handler {
		for i := len(mw) - 1; i >= 0; i-- {
			h = mw[i](h)
		}
		return h
	}
}
