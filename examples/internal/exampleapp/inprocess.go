package exampleapp

import (
	"net/http"
	"net/http/httptest"
	"time"
)

// InProcessClient returns an HTTP client whose every request is answered by
// h inside the process, whatever its URL: the way an example points a
// service client at a fake without opening a port or needing a network.
func InProcessClient(h http.Handler) *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: inProcess{h}}
}

// inProcess is an http.RoundTripper that serves every request with a handler.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	if r.Body != nil {
		r.Body.Close()
	}
	return rec.Result(), nil
}

// BearerClient returns an HTTP client with a 10-second timeout that sends
// "Authorization: Bearer <token>" on every request: what local emulators
// (Firestore's accepts "owner") expect in place of Google credentials.
func BearerClient(token string) *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: bearer{token: token, next: http.DefaultTransport}}
}

type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}
