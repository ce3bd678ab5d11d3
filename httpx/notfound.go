package httpx

import "net/http"

// JSONErrors wraps an http.ServeMux so that its built-in plain-text answers
// for unknown routes (404) and wrong methods (405, with its Allow header)
// are sent as JSON envelopes instead. Responses written by routed handlers
// pass through untouched.
func JSONErrors(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(&unroutedWriter{ResponseWriter: w, r: r}, r)
	})
}

// unroutedWriter replaces the mux's own 404/405 text. The mux sets r.Pattern
// before calling the handler; an empty pattern means no route matched.
type unroutedWriter struct {
	http.ResponseWriter
	r          *http.Request
	suppressed bool
}

func (u *unroutedWriter) WriteHeader(code int) {
	if u.r.Pattern == "" && (code == http.StatusNotFound || code == http.StatusMethodNotAllowed) {
		u.suppressed = true
		if code == http.StatusNotFound {
			WriteError(u.ResponseWriter, u.r, NotFound("Not Found"))
		} else {
			WriteError(u.ResponseWriter, u.r, NewError(code, CodeMethodNotAllowed, "Method Not Allowed"))
		}
		return
	}
	u.ResponseWriter.WriteHeader(code)
}

func (u *unroutedWriter) Write(b []byte) (int, error) {
	if u.suppressed {
		return len(b), nil
	}
	return u.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (u *unroutedWriter) Unwrap() http.ResponseWriter { return u.ResponseWriter }
