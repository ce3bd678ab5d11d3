package metrics

import "net/http"

// statusWriter remembers the final status code a handler sent.
type statusWriter struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the first final status code (101 or 200..999;
// informational 1xx answers such as 103 Early Hints may precede it) and
// passes code on.
func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 && (code == http.StatusSwitchingProtocols || code >= 200 && code <= 999) {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200 if no status was sent and passes b on.
func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer, for
// flushing, hijacking and deadlines.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
