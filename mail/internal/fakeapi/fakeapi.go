// Package fakeapi is an httptest server for the mail provider tests: it
// records every request and answers with scripted responses, so a test can
// assert the exact wire request and play back real provider answers.
package fakeapi

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Reply is one scripted response.
type Reply struct {
	// Status is the HTTP status.
	Status int
	// Body is the response body, sent as application/json.
	Body string
	// Header holds extra response headers such as Retry-After.
	Header map[string]string
}

// Request is one recorded request.
type Request struct {
	// Method and Path are the request line.
	Method, Path string
	// Header is a copy of the request headers.
	Header http.Header
	// Body is the raw request body.
	Body string
}

// Server is a running fake. Replies are used in order; the last one repeats.
type Server struct {
	// URL is the server's base URL.
	URL string
	// Client talks to the server.
	Client *http.Client

	mu       sync.Mutex
	replies  []Reply
	requests []Request
}

// Start runs a fake answering with replies (at least one) and stops it when
// the test ends.
func Start(t testing.TB, replies ...Reply) *Server {
	t.Helper()
	if len(replies) == 0 {
		t.Fatal("fakeapi.Start: no replies")
	}
	s := &Server{replies: replies}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL, s.Client = srv.URL, srv.Client()
	return s
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: string(body)})
	reply := s.replies[0]
	if len(s.replies) > 1 {
		s.replies = s.replies[1:]
	}
	s.mu.Unlock()
	for k, v := range reply.Header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(reply.Status)
	io.WriteString(w, reply.Body)
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Last returns the most recent request; the test fails if there was none.
func (s *Server) Last(t testing.TB) Request {
	t.Helper()
	reqs := s.Requests()
	if len(reqs) == 0 {
		t.Fatal("fakeapi: no request received")
	}
	return reqs[len(reqs)-1]
}

// Expect fails the test unless the request is a POST to path with the given
// body and header values.
func (r Request) Expect(t testing.TB, path, body string, header map[string]string) {
	t.Helper()
	if r.Method != http.MethodPost || r.Path != path {
		t.Errorf("request: got %s %s, want POST %s", r.Method, r.Path, path)
	}
	if r.Body != body {
		t.Errorf("body:\ngot  %s\nwant %s", r.Body, body)
	}
	for k, want := range header {
		if got := r.Header.Get(k); got != want {
			t.Errorf("header %s: got %q, want %q", k, got, want)
		}
	}
}
