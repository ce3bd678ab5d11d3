// Package exampletest drives an example's HTTP routes in end-to-end tests:
// it serves the example's handler on a loopback httptest.Server, signs up
// users through the example's own account routes and checks the error
// envelope.
package exampletest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/examples/internal/exampleapp"
	"github.com/groundwork-go/groundwork/internal/testenv"
)

// Server is an example served for a test.
type Server struct {
	// URL is the base URL of the httptest server.
	URL    string
	client *http.Client
}

// Build assembles an example with exampleapp.Build on a database private
// to the test (internal/testenv: PostgreSQL when DATABASE_URL is set, else
// SQLite), plus any extra environment, and serves it until the test ends.
// It returns the server and what the example logged while starting.
func Build(t *testing.T, name string, env map[string]string, setup exampleapp.Setup) (*Server, string) {
	t.Helper()
	vars := map[string]string{"DATABASE_URL": testenv.DatabaseURL(t)}
	for k, v := range env {
		vars[k] = v
	}
	var logs bytes.Buffer
	app, err := exampleapp.Build(context.Background(), name, 0, Env(vars), &logs, setup)
	if err != nil {
		t.Fatalf("building the %s example: %v", name, err)
	}
	t.Cleanup(func() { app.Close() })
	return Start(t, app.Handler()), logs.String()
}

// Start serves h until the test ends.
func Start(t *testing.T, h http.Handler) *Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &Server{URL: srv.URL, client: &http.Client{Timeout: 30 * time.Second}}
}

// Response is a finished request: its status, headers and body.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends method path with body (JSON-encoded unless it is nil, a string or
// []byte) and the bearer token when it is not empty.
func (s *Server) Do(t *testing.T, method, path, token string, body any) *Response {
	t.Helper()
	return s.DoWith(t, method, path, token, body, nil)
}

// DoWith is Do with extra request headers; empty values are not sent.
func (s *Server) DoWith(t *testing.T, method, path, token string, body any, header map[string]string) *Response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewReader([]byte(b))
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("encoding request body: %v", err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: got error %v, want a response", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// Want fails the test unless the response has the given status; it then
// decodes the body into dst when dst is not nil.
func (r *Response) Want(t *testing.T, status int, dst any) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("got status %d (%s), want %d", r.Status, r.Body, status)
	}
	if dst != nil {
		if err := json.Unmarshal(r.Body, dst); err != nil {
			t.Fatalf("decoding %s: %v", r.Body, err)
		}
	}
}

// WantError fails the test unless the response is the standard error
// envelope with the given status and error code.
func (r *Response) WantError(t *testing.T, status int, code string) {
	t.Helper()
	var env struct {
		Detail    string `json:"detail"`
		ErrorCode string `json:"error_code"`
		Timestamp string `json:"timestamp"`
	}
	r.Want(t, status, &env)
	if env.ErrorCode != code || env.Detail == "" || env.Timestamp == "" {
		t.Fatalf("got error body %s, want error_code %q with a detail and a timestamp", r.Body, code)
	}
}

// WantValidation fails the test unless the response is a 422 whose field
// list names field.
func (r *Response) WantValidation(t *testing.T, field string) {
	t.Helper()
	var ve struct {
		Detail []struct {
			Loc []string `json:"loc"`
		} `json:"detail"`
	}
	r.Want(t, http.StatusUnprocessableEntity, &ve)
	for _, d := range ve.Detail {
		if len(d.Loc) > 0 && d.Loc[len(d.Loc)-1] == field {
			return
		}
	}
	t.Fatalf("got 422 body %s, want an error for field %q", r.Body, field)
}

// Pair is the token pair the account routes answer.
type Pair struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
}

// Signup creates a password account with a unique username through the
// example's signup route and returns its token pair.
func (s *Server) Signup(t *testing.T) Pair {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	name := "user" + hex.EncodeToString(b)
	var p Pair
	s.Do(t, http.MethodPost, "/api/v1/auth/signup", "", map[string]string{
		"username": name, "email": name + "@example.com", "password": "correct-horse-battery-9",
		"first_name": "Test", "last_name": "User",
	}).Want(t, http.StatusCreated, &p)
	if p.AccessToken == "" {
		t.Fatal("signup answered no access token")
	}
	return p
}

// Env returns a getenv function over vars; unset names read as "".
func Env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}
