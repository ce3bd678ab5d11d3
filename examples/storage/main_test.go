package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func newTestServer(t *testing.T, token string, maxBytes int64) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	cfg := config{Backend: "memory", MaxUploadBytes: maxBytes, UploadToken: token}
	bucket, signed, err := openBucket(context.Background(), cfg, srv.URL+"/signed")
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/", newMux(bucket, signed, cfg, slog.New(slog.NewTextHandler(io.Discard, nil))))
	return srv
}

func do(t *testing.T, method, url string, body io.Reader, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
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
	srv := newTestServer(t, "", 1000)
	content := []byte("0123456789abcdefghij")
	resp, body := do(t, "PUT", srv.URL+"/files/docs/a b.txt", bytes.NewReader(content), map[string]string{"Content-Type": "text/plain"})
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
			resp, body := do(t, "GET", srv.URL+"/files/docs/a b.txt", nil, h)
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
	srv := newTestServer(t, "", 100)
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
			resp, body := do(t, "PUT", srv.URL+"/files/big.bin", tc.body, nil)
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "PAYLOAD_TOO_LARGE") {
				t.Errorf("PUT over limit: got %d %s, want 413 PAYLOAD_TOO_LARGE", resp.StatusCode, body)
			}
			if resp, _ := do(t, "GET", srv.URL+"/files/big.bin", nil, nil); resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET after refused upload: got %d, want 404", resp.StatusCode)
			}
		})
	}
	if resp, body := do(t, "PUT", srv.URL+"/files/ok.bin", streamBody{bytes.NewReader(big[:100])}, nil); resp.StatusCode != http.StatusCreated {
		t.Errorf("PUT at the limit: got %d %s, want 201", resp.StatusCode, body)
	}
}

func TestUploadToken(t *testing.T) {
	srv := newTestServer(t, "s3cret", 100)
	tests := []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"no token", nil, http.StatusUnauthorized},
		{"wrong token", map[string]string{"Authorization": "Bearer nope"}, http.StatusUnauthorized},
		{"right token", map[string]string{"Authorization": "Bearer s3cret"}, http.StatusCreated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := do(t, "PUT", srv.URL+"/files/f", strings.NewReader("x"), tc.header)
			if resp.StatusCode != tc.want {
				t.Errorf("PUT: got %d %s, want %d", resp.StatusCode, body, tc.want)
			}
		})
	}
	if resp, _ := do(t, "GET", srv.URL+"/files/f", nil, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("GET without token: got %d, want 200", resp.StatusCode)
	}
	if resp, _ := do(t, "DELETE", srv.URL+"/files/f", nil, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("DELETE without token: got %d, want 401", resp.StatusCode)
	}
}

func TestListLinkDelete(t *testing.T) {
	srv := newTestServer(t, "", 100)
	for _, k := range []string{"a/1", "a/2", "a/b/3", "c"} {
		if resp, body := do(t, "PUT", srv.URL+"/files/"+k, strings.NewReader(k), nil); resp.StatusCode != http.StatusCreated {
			t.Fatalf("PUT %s: got %d %s", k, resp.StatusCode, body)
		}
	}
	resp, body := do(t, "GET", srv.URL+"/files?prefix=a/&delimiter=/", nil, nil)
	var page struct {
		Files    []fileJSON `json:"files"`
		Prefixes []string   `json:"prefixes"`
	}
	if err := json.Unmarshal(body, &page); err != nil || resp.StatusCode != 200 || len(page.Files) != 2 || len(page.Prefixes) != 1 || page.Prefixes[0] != "a/b/" {
		t.Errorf("list: got %d %s, want files a/1, a/2 and prefix a/b/", resp.StatusCode, body)
	}

	resp, body = do(t, "POST", srv.URL+"/links/a/2?expires=1m", nil, nil)
	var link struct{ URL string }
	if err := json.Unmarshal(body, &link); err != nil || resp.StatusCode != 200 {
		t.Fatalf("link: got %d %s, want 200 with a URL", resp.StatusCode, body)
	}
	if resp, body := do(t, "GET", link.URL, nil, nil); resp.StatusCode != 200 || string(body) != "a/2" {
		t.Errorf("GET link: got %d %q, want 200 a/2", resp.StatusCode, body)
	}
	if resp, _ := do(t, "POST", srv.URL+"/links/nope", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("link to missing file: got %d, want 404", resp.StatusCode)
	}
	if resp, _ := do(t, "POST", srv.URL+"/links/a/2?expires=720h", nil, nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("link valid 30 days: got %d, want 400", resp.StatusCode)
	}

	if resp, _ := do(t, "DELETE", srv.URL+"/files/a/1", nil, nil); resp.StatusCode != http.StatusNoContent {
		t.Errorf("DELETE: got %d, want 204", resp.StatusCode)
	}
	if resp, _ := do(t, "DELETE", srv.URL+"/files/a/1", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("second DELETE: got %d, want 404", resp.StatusCode)
	}
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
		{"bad port", map[string]string{"PORT": "http"}, "PORT", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := loadConfig(func(k string) string { return tc.env[k] })
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

func TestRunStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	if err := run(ctx, func(k string) string { return map[string]string{"PORT": "0"}[k] }, &out); err != nil {
		t.Fatalf("run: got error %v, want nil after shutdown", err)
	}
	if !strings.Contains(out.String(), "UPLOAD_TOKEN is not set") || !strings.Contains(out.String(), "backend=memory") {
		t.Errorf("run log: got %q, want the open-upload warning and the backend", out.String())
	}
}
