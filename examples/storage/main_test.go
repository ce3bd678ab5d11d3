package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/groundwork-go/groundwork/examples/internal/exampleapp"
	"github.com/groundwork-go/groundwork/examples/internal/exampletest"
)

// startExample serves the example on the memory bucket with the given
// upload limit, on a database private to the test.
func startExample(t *testing.T, maxBytes int64) *exampletest.Server {
	t.Helper()
	srv, logs := exampletest.Build(t, "storage", map[string]string{"MAX_UPLOAD_BYTES": strconv.FormatInt(maxBytes, 10)}, setup)
	if !strings.Contains(logs, "STORAGE_BACKEND is not set") || !strings.Contains(logs, "backend=memory") {
		t.Fatalf("got logs %q, want the in-memory bucket announced", logs)
	}
	return srv
}

// do sends a raw request (a streamed body, custom headers) with the token.
func do(t *testing.T, method, url, token string, body io.Reader, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: got error %v, want nil", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// streamBody hides its length so the request is sent chunked.
type streamBody struct{ io.Reader }

func TestUploadDownload(t *testing.T) {
	srv := startExample(t, 1000)
	tok := srv.Signup(t).AccessToken
	content := []byte("0123456789abcdefghij")
	resp, body := do(t, "PUT", srv.URL+"/api/v1/files/docs/a b.txt", tok, bytes.NewReader(content), map[string]string{"Content-Type": "text/plain"})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT: got %d %s, want 201", resp.StatusCode, body)
	}
	var meta fileJSON
	if err := json.Unmarshal(body, &meta); err != nil || meta.Size != 20 || meta.Key != "docs/a b.txt" {
		t.Errorf("PUT response: got %+v (%v), want key docs/a b.txt and size 20", meta, err)
	}
	tests := []struct {
		name       string
		rng        string
		wantStatus int
		wantBody   string
		wantRange  string
	}{
		{"whole", "", 200, string(content), ""},
		{"range", "bytes=3-6", 206, "3456", "bytes 3-6/20"},
		{"open range", "bytes=15-", 206, "fghij", "bytes 15-19/20"},
		{"range past end", "bytes=30-40", 416, "", ""},
		{"bad range", "items=1-2", 400, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string]string{}
			if tc.rng != "" {
				h["Range"] = tc.rng
			}
			resp, body := do(t, "GET", srv.URL+"/api/v1/files/docs/a b.txt", tok, nil, h)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("GET: got status %d (%s), want %d", resp.StatusCode, body, tc.wantStatus)
			}
			if tc.wantStatus >= 300 {
				return
			}
			if string(body) != tc.wantBody || resp.Header.Get("Content-Range") != tc.wantRange || resp.Header.Get("Content-Type") != "text/plain" {
				t.Errorf("GET: got %q, Content-Range %q, type %q, want %q, %q, text/plain", body, resp.Header.Get("Content-Range"), resp.Header.Get("Content-Type"), tc.wantBody, tc.wantRange)
			}
		})
	}
}

func TestUploadLimit(t *testing.T) {
	srv := startExample(t, 100)
	tok := srv.Signup(t).AccessToken
	big := bytes.Repeat([]byte("x"), 101)
	tests := []struct {
		name string
		body io.Reader
	}{
		{"declared length", bytes.NewReader(big)},
		{"chunked", streamBody{bytes.NewReader(big)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := do(t, "PUT", srv.URL+"/api/v1/files/big.bin", tok, tc.body, nil)
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "PAYLOAD_TOO_LARGE") {
				t.Errorf("PUT over limit: got %d %s, want 413 PAYLOAD_TOO_LARGE", resp.StatusCode, body)
			}
			if resp, _ := do(t, "GET", srv.URL+"/api/v1/files/big.bin", tok, nil, nil); resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET after refused upload: got %d, want 404", resp.StatusCode)
			}
		})
	}
	if resp, body := do(t, "PUT", srv.URL+"/api/v1/files/ok.bin", tok, streamBody{bytes.NewReader(big[:100])}, nil); resp.StatusCode != http.StatusCreated {
		t.Errorf("PUT at the limit: got %d %s, want 201", resp.StatusCode, body)
	}
}

func TestFilesBelongToUsers(t *testing.T) {
	srv := startExample(t, 100)
	owner, other := srv.Signup(t).AccessToken, srv.Signup(t).AccessToken
	if resp, body := do(t, "PUT", srv.URL+"/api/v1/files/secret.txt", owner, strings.NewReader("mine"), nil); resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT: got %d %s, want 201", resp.StatusCode, body)
	}
	// Without a token every route is 401 in the standard envelope.
	for _, rt := range []struct{ method, path string }{
		{"PUT", "/api/v1/files/secret.txt"}, {"GET", "/api/v1/files/secret.txt"}, {"DELETE", "/api/v1/files/secret.txt"},
		{"GET", "/api/v1/files"}, {"POST", "/api/v1/links/secret.txt"},
	} {
		srv.Do(t, rt.method, rt.path, "", nil).WantError(t, http.StatusUnauthorized, "UNAUTHORIZED")
		srv.Do(t, rt.method, rt.path, "not-a-token", nil).WantError(t, http.StatusUnauthorized, "UNAUTHORIZED")
	}
	// Another user neither sees, reads, links nor deletes the file, and
	// writing the same name makes their own file.
	srv.Do(t, "GET", "/api/v1/files/secret.txt", other, nil).WantError(t, http.StatusNotFound, "NOT_FOUND")
	srv.Do(t, "POST", "/api/v1/links/secret.txt", other, nil).WantError(t, http.StatusNotFound, "NOT_FOUND")
	srv.Do(t, "DELETE", "/api/v1/files/secret.txt", other, nil).WantError(t, http.StatusNotFound, "NOT_FOUND")
	var page struct {
		Files []fileJSON `json:"files"`
	}
	srv.Do(t, "GET", "/api/v1/files", other, nil).Want(t, http.StatusOK, &page)
	if len(page.Files) != 0 {
		t.Fatalf("got the other user's listing %+v, want empty", page.Files)
	}
	if resp, body := do(t, "PUT", srv.URL+"/api/v1/files/secret.txt", other, strings.NewReader("theirs"), nil); resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT by the other user: got %d %s, want 201", resp.StatusCode, body)
	}
	if resp, body := do(t, "GET", srv.URL+"/api/v1/files/secret.txt", owner, nil, nil); resp.StatusCode != http.StatusOK || string(body) != "mine" {
		t.Fatalf("owner's GET: got %d %q, want 200 mine", resp.StatusCode, body)
	}
}

func TestListLinkDelete(t *testing.T) {
	srv := startExample(t, 100)
	tok := srv.Signup(t).AccessToken
	for _, k := range []string{"a/1", "a/2", "a/b/3", "c"} {
		if resp, body := do(t, "PUT", srv.URL+"/api/v1/files/"+k, tok, strings.NewReader(k), nil); resp.StatusCode != http.StatusCreated {
			t.Fatalf("PUT %s: got %d %s", k, resp.StatusCode, body)
		}
	}
	var page struct {
		Files    []fileJSON `json:"files"`
		Prefixes []string   `json:"prefixes"`
	}
	srv.Do(t, "GET", "/api/v1/files?prefix=a/&delimiter=/", tok, nil).Want(t, http.StatusOK, &page)
	if len(page.Files) != 2 || page.Files[0].Key != "a/1" || len(page.Prefixes) != 1 || page.Prefixes[0] != "a/b/" {
		t.Errorf("list: got %+v, want files a/1, a/2 and prefix a/b/", page)
	}

	var link struct{ URL string }
	srv.Do(t, "POST", "/api/v1/links/a/2?expires=1m", tok, nil).Want(t, http.StatusOK, &link)
	// A link needs no token: it is how a file is shared.
	if resp, body := do(t, "GET", link.URL, "", nil, nil); resp.StatusCode != 200 || string(body) != "a/2" {
		t.Errorf("GET link %s: got %d %q, want 200 a/2", link.URL, resp.StatusCode, body)
	}
	srv.Do(t, "POST", "/api/v1/links/nope", tok, nil).WantError(t, http.StatusNotFound, "NOT_FOUND")

	tests := []struct {
		name, path, field string
	}{
		{"link valid 30 days", "/api/v1/links/a/2?expires=720h", "expires"},
		{"link expiry not a duration", "/api/v1/links/a/2?expires=soon", "expires"},
		{"page size not a number", "/api/v1/files?page_size=ten", "page_size"},
		{"page size too large", "/api/v1/files?page_size=5000", "page_size"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			method := "GET"
			if strings.Contains(tc.path, "/links/") {
				method = "POST"
			}
			srv.Do(t, method, tc.path, tok, nil).WantValidation(t, tc.field)
		})
	}

	if resp, _ := do(t, "DELETE", srv.URL+"/api/v1/files/a/1", tok, nil, nil); resp.StatusCode != http.StatusNoContent {
		t.Errorf("DELETE: got %d, want 204", resp.StatusCode)
	}
	srv.Do(t, "DELETE", "/api/v1/files/a/1", tok, nil).WantError(t, http.StatusNotFound, "NOT_FOUND")
}

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
		want    string
	}{
		{"defaults", nil, "", "memory"},
		{"b2 needs keys", map[string]string{"STORAGE_BACKEND": "b2"}, "B2_KEY_ID", ""},
		{"b2 configured", map[string]string{"STORAGE_BACKEND": "b2", "B2_KEY_ID": "k", "B2_APPLICATION_KEY": "s", "B2_BUCKET": "b"}, "", "b2"},
		{"gcs needs bucket", map[string]string{"STORAGE_BACKEND": "gcs"}, "GCS_BUCKET", ""},
		{"gcs missing key file", map[string]string{"STORAGE_BACKEND": "gcs", "GCS_BUCKET": "b", "GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent/key.json"}, "GOOGLE_APPLICATION_CREDENTIALS", ""},
		{"unknown backend", map[string]string{"STORAGE_BACKEND": "s3"}, "STORAGE_BACKEND", ""},
		{"bad limit", map[string]string{"MAX_UPLOAD_BYTES": "-1"}, "MAX_UPLOAD_BYTES", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := loadConfig(exampleapp.NewEnv(exampletest.Env(tc.env)))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("loadConfig: got %v, want an error naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil || cfg.Backend != tc.want {
				t.Errorf("loadConfig: got %q, %v, want %q, nil", cfg.Backend, err, tc.want)
			}
		})
	}
}
