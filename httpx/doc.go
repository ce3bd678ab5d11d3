// Package httpx is Groundwork's shared HTTP plumbing, built on standard
// library types only: the error envelope and WriteError, request decoding
// with validation, and middleware (request ID, panic recovery, access log,
// security headers, CORS, body limits, client IP with trusted proxies, JSON
// 404/405 for http.ServeMux or any other router, deprecation notices).
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
package httpx
