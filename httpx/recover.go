package httpx

import (
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
)

// Recover is middleware that turns a panic in a handler into a 500 envelope
// and logs the panic value with its stack, so the server keeps serving.
// http.ErrAbortHandler is re-panicked, as net/http expects.
func Recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v)
			}
			LoggerFromContext(r.Context()).Error("panic serving request",
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()),
				"method", r.Method, "path", r.URL.Path, "request_id", RequestIDFromContext(r.Context()))
			WriteError(w, r, Internal(nil))
		}()
		next.ServeHTTP(w, r)
	})
}
