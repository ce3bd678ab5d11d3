package httpx_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/groundwork-go/groundwork/httpx"
)

// chiRoute labels a request with its method and chi's route pattern.
func chiRoute(r *http.Request) string {
	rctx := chi.RouteContext(r.Context())
	if rctx == nil || rctx.RoutePattern() == "" {
		return ""
	}
	return r.Method + " " + rctx.RoutePattern()
}

// TestMiddlewareOnChi mounts the httpx middleware on a chi router: request
// ID, client IP, the access log labelled by chi's route pattern, panic
// recovery, and JSON 404/405 for chi's own answers.
func TestMiddlewareOnChi(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	trusted, err := httpx.ParseTrustedProxies("10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	r.Use(httpx.RequestID, httpx.ClientIP(trusted), httpx.AccessLog(logger, httpx.AccessLogOptions{Route: chiRoute}), httpx.Recover)
	r.Get("/things/{id}", func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"id": chi.URLParam(r, "id"), "ip": httpx.ClientIPFromRequest(r).String()})
	})
	r.Get("/missing", func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteError(w, r, httpx.NotFound("Thing not found"))
	})
	r.Get("/panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
	h := httpx.JSONErrors(r)

	tests := []struct {
		method, path string
		wantStatus   int
		wantCode     string
		wantDetail   string
		wantAllow    string
		wantRoute    string
	}{
		{"GET", "/things/7", 200, "", "", "", "GET /things/{id}"},
		{"GET", "/nope", 404, httpx.CodeNotFound, "Not Found", "", ""},
		{"POST", "/things/7", 405, httpx.CodeMethodNotAllowed, "Method Not Allowed", "GET", ""},
		{"GET", "/missing", 404, httpx.CodeNotFound, "Thing not found", "", "GET /missing"},
		{"GET", "/panic", 500, httpx.CodeInternal, "Internal server error", "", "GET /panic"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			logs.Reset()
			req := httptest.NewRequest(tt.method, tt.path, nil)
			req.RemoteAddr = "10.0.0.5:1234"
			req.Header.Set("X-Forwarded-For", "198.51.100.4")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status: got %d (%s), want %d", rec.Code, rec.Body, tt.wantStatus)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type: got %q, want application/json", ct)
			}
			var body map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %q: %v", rec.Body, err)
			}
			if tt.wantCode == "" {
				if body["id"] != "7" || body["ip"] != "198.51.100.4" {
					t.Fatalf("body: got %v, want id 7 and ip 198.51.100.4", body)
				}
			} else if body["error_code"] != tt.wantCode || body["detail"] != tt.wantDetail {
				t.Fatalf("envelope: got %v, want %s %q", body, tt.wantCode, tt.wantDetail)
			}
			if got := rec.Header().Get("Allow"); got != tt.wantAllow {
				t.Fatalf("Allow: got %q, want %q", got, tt.wantAllow)
			}
			if rec.Header().Get(httpx.RequestIDHeader) == "" {
				t.Fatal("no X-Request-ID")
			}
			var line struct {
				Route  string `json:"route"`
				Status int    `json:"status"`
			}
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if err := json.Unmarshal([]byte(lines[len(lines)-1]), &line); err != nil {
				t.Fatalf("access log %q: %v", logs.String(), err)
			}
			if line.Route != tt.wantRoute || line.Status != tt.wantStatus {
				t.Fatalf("access log: got route %q status %d, want %q %d", line.Route, line.Status, tt.wantRoute, tt.wantStatus)
			}
		})
	}
}

// TestJSONErrorsAnyHandler checks the rule for handlers other than
// http.ServeMux: a non-JSON 404 or 405 is replaced, a JSON one is kept.
func TestJSONErrorsAnyHandler(t *testing.T) {
	tests := []struct {
		name       string
		h          http.HandlerFunc
		wantDetail string
	}{
		{"plain-text 404 replaced", http.NotFound, "Not Found"},
		{"bare 405 replaced", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(405) }, "Method Not Allowed"},
		{"JSON 404 kept", func(w http.ResponseWriter, r *http.Request) { httpx.WriteError(w, r, httpx.NotFound("User not found")) }, "User not found"},
		{"problem+json 404 kept", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(404)
			w.Write([]byte(`{"detail":"gone"}`))
		}, "gone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			httpx.JSONErrors(tt.h).ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
			var body map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %q: %v", rec.Body, err)
			}
			if body["detail"] != tt.wantDetail || strings.Contains(rec.Body.String(), "page not found") {
				t.Fatalf("body: got %s, want detail %q", rec.Body, tt.wantDetail)
			}
		})
	}
}
