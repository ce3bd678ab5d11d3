package httpx

import "net/http"

// BodyLimit is middleware that caps request bodies at n bytes. A request
// whose Content-Length already exceeds n is answered 413 at once; a body
// that grows past n while being read makes the read fail, which Decode
// reports as 413.
func BodyLimit(n int64) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > n {
				WriteError(w, r, payloadTooLarge(n))
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, n)
			next.ServeHTTP(w, r)
		})
	}
}
