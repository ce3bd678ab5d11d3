package httpx

import (
	"mime"
	"net/http"
	"strings"
)

// JSONErrors wraps a router so that its own plain-text answers for unknown
// routes (404) and wrong methods (405, with the Allow header the router
// set) are sent as JSON envelopes instead. Responses written by routed
// handlers pass through untouched.
//
// For an *http.ServeMux the mux's own answers are told apart exactly: they
// are the ones written while r.Pattern is still empty. For any other
// handler (chi, gorilla/mux, a handler of your own) a 404 or 405 is
// replaced when its Content-Type is not JSON, which covers the defaults
// routers write (http.NotFound, a bare 405); a routed handler's JSON
// errors, such as WriteError's, pass through.
func JSONErrors(h http.Handler) http.Handler {
	_, isMux := h.(*http.ServeMux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(&unroutedWriter{ResponseWriter: w, r: r, mux: isMux}, r)
	})
}

// unroutedWriter replaces a router's own 404/405 answer.
type unroutedWriter struct {
	http.ResponseWriter
	r          *http.Request
	mux        bool // the handler is an *http.ServeMux
	suppressed bool
}

func (u *unroutedWriter) WriteHeader(code int) {
	if (code == http.StatusNotFound || code == http.StatusMethodNotAllowed) && u.unrouted() {
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

// unrouted reports whether the answer being written is the router's own.
// http.ServeMux sets r.Pattern before it calls a handler, so an empty
// pattern means no route matched.
func (u *unroutedWriter) unrouted() bool {
	if u.mux {
		return u.r.Pattern == ""
	}
	return !isJSON(u.Header().Get("Content-Type"))
}

func (u *unroutedWriter) Write(b []byte) (int, error) {
	if u.suppressed {
		return len(b), nil
	}
	return u.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (u *unroutedWriter) Unwrap() http.ResponseWriter { return u.ResponseWriter }

// isJSON reports whether contentType is application/json or a +json type.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}
