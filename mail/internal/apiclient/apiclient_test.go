package apiclient

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPostJSON(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if got, want := string(body), `{"a":1}`; got != want {
			t.Errorf("body: got %s, want %s", got, want)
		}
		if got, want := r.Header.Get("Content-Type"), "application/json"; got != want {
			t.Errorf("Content-Type: got %q, want %q", got, want)
		}
		if got, want := r.Header.Get("X-Key"), "v"; got != want {
			t.Errorf("X-Key: got %q, want %q", got, want)
		}
		w.Header().Set("Retry-After", "3")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, strings.Repeat("x", MaxResponseBytes+10))
	}))
	t.Cleanup(srv.Close)

	resp, err := PostJSON(context.Background(), srv.Client(), srv.URL, http.Header{"X-Key": {"v"}}, map[string]int{"a": 1})
	if err != nil {
		t.Fatal(err)
	}
	if resp.OK() {
		t.Errorf("OK: got true, want false for %d", resp.Status)
	}
	if got, want := len(resp.Body), MaxResponseBytes; got != want {
		t.Errorf("body length: got %d, want %d", got, want)
	}
	if got, want := resp.Header.Get("Retry-After"), "3"; got != want {
		t.Errorf("Retry-After: got %q, want %q", got, want)
	}
	if got, want := len(resp.Snippet()), 203; got != want {
		t.Errorf("snippet length: got %d, want %d", got, want)
	}
}

func TestPostJSONTransportError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := PostJSON(context.Background(), http.DefaultClient, url, http.Header{"Api-Key": {"secret-key"}}, struct{}{})
	if err == nil {
		t.Fatal("got nil error, want a transport error")
	}
	if strings.Contains(err.Error(), "secret-key") {
		t.Errorf("error leaks the API key: %v", err)
	}
}

func TestSnippetEmptyBody(t *testing.T) {
	r := &Response{Status: http.StatusBadGateway}
	if got, want := r.Snippet(), "Bad Gateway"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestErrorBody(t *testing.T) {
	tests := []struct {
		body, field, wantCode, wantMsg string
	}{
		{`{"code":"invalid_parameter","message":"bad to"}`, "code", "invalid_parameter", "bad to"},
		{`{"statusCode":422,"name":"validation_error","message":"m"}`, "name", "validation_error", "m"},
		{`{"message":"only message"}`, "code", "", "only message"},
		{`{"code":42}`, "code", "", `{"code":42}`},
		{`<html>oops</html>`, "code", "", "<html>oops</html>"},
	}
	for _, tt := range tests {
		r := &Response{Status: 500, Body: []byte(tt.body)}
		code, msg := r.ErrorBody(tt.field)
		if code != tt.wantCode || msg != tt.wantMsg {
			t.Errorf("%s: got (%q, %q), want (%q, %q)", tt.body, code, msg, tt.wantCode, tt.wantMsg)
		}
	}
}

func TestEndpoint(t *testing.T) {
	var gotPath string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { gotPath = r.URL.Path }))
	t.Cleanup(srv.Close)
	e := NewEndpoint(srv.URL+"/", "https://unused.invalid", nil)
	if got, want := e.hc.Timeout, DefaultTimeout; got != want {
		t.Errorf("timeout: got %v, want %v", got, want)
	}
	if _, err := e.PostJSON(context.Background(), "/v3/x", nil, 1); err != nil {
		t.Fatal(err)
	}
	if got, want := gotPath, "/v3/x"; got != want {
		t.Errorf("path: got %q, want %q", got, want)
	}
	if got, want := NewEndpoint("", "https://api.example", nil).baseURL, "https://api.example"; got != want {
		t.Errorf("default base URL: got %q, want %q", got, want)
	}
}
