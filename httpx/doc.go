// Package httpx is Groundwork's shared HTTP plumbing, with an API of
// standard library types only: the error envelope and WriteError, request
// decoding with validation, and middleware (request ID, panic recovery,
// access log, security headers, CORS, body limits, client IP with trusted
// proxies, JSON 404/405 for http.ServeMux or any other router, deprecation
// notices). Middleware is a plain func(http.Handler) http.Handler.
//
// Every error a client sees is either the envelope
//
//	{"detail": "...", "error_code": "NOT_FOUND", "timestamp": "2025-01-19T10:30:00Z"}
//
// or, for validation failures, 422 {"detail": [{"loc": [...], "msg": "...", "type": "..."}]}.
//
// A typical assembly:
//
//	mux := http.NewServeMux()
//	mux.HandleFunc("POST /things", func(w http.ResponseWriter, r *http.Request) {
//		var in struct {
//			Name string `json:"name" form:"name" validate:"required,max=50"`
//		}
//		if err := httpx.Decode(w, r, &in); err != nil {
//			httpx.WriteError(w, r, err)
//			return
//		}
//		httpx.WriteJSON(w, http.StatusCreated, in)
//	})
//	handler := httpx.Chain(
//		httpx.RequestID,
//		httpx.ClientIP(trusted),
//		httpx.SecurityHeaders(httpx.SecurityOptions{}),
//		httpx.CORS(httpx.CORSOptions{}),
//		httpx.AccessLog(logger, httpx.AccessLogOptions{}),
//		httpx.Recover,
//	)(httpx.JSONErrors(mux))
//
// The middleware works on any router. Two things depend on the router: the
// route label of the access log, read by AccessLogOptions.Route (by
// default r.Pattern, which http.ServeMux sets), and how JSONErrors tells
// the router's own 404/405 answers from a handler's (see JSONErrors). With
// chi, for example, mount the middleware with Router.Use and label routes
// with chi.RouteContext(r.Context()).RoutePattern().
package httpx
