package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

const testSecret = "0123456789abcdef0123456789abcdef"

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestDocsEnabledFollowsEnvironment(t *testing.T) {
	tests := []struct {
		env, enabled string
		want         bool
	}{
		{"development", "", true},
		{"production", "", false},
		{"production", "true", true},
		{"development", "false", false},
		{"development", "1", true},
	}
	for _, tt := range tests {
		t.Run(tt.env+"/"+tt.enabled, func(t *testing.T) {
			env := map[string]string{"ENVIRONMENT": tt.env, "DOCS_ENABLED": tt.enabled, "SECRET_KEY": testSecret}
			s := startServer(t, env)
			if s.app.cfg.DocsEnabled != tt.want {
				t.Fatalf("got DocsEnabled %v, want %v", s.app.cfg.DocsEnabled, tt.want)
			}
			for _, path := range []string{"/openapi.json", "/openapi.yaml", "/docs", "/docs/swagger-ui.css", "/redoc"} {
				resp, _ := get(t, s.URL+path)
				want := http.StatusNotFound
				if tt.want {
					want = http.StatusOK
				}
				if resp.StatusCode != want {
					t.Errorf("GET %s: got %d, want %d", path, resp.StatusCode, want)
				}
			}
		})
	}
}

func TestDocsConfigRejectsBadValues(t *testing.T) {
	for name, v := range map[string]string{"DOCS_ENABLED": "maybe", "REDOC_SCRIPT_URL": "cdn.example/redoc.js"} {
		_, err := loadConfig(envFrom(map[string]string{name: v}))
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%q: got error %v, want one naming %s", name, v, err, name)
		}
	}
}

// TestOpenAPIJSONIsTheEmbeddedDocument checks that /openapi.json is a valid
// document equal to openapi.yaml.
func TestOpenAPIJSONIsTheEmbeddedDocument(t *testing.T) {
	s := startServer(t, map[string]string{"DOCS_ENABLED": "true"})
	resp, body := get(t, s.URL+"/openapi.json")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("got %d %q, want 200 application/json", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	served, err := openapi3.NewLoader().LoadFromData([]byte(body))
	if err != nil {
		t.Fatalf("load /openapi.json: %v", err)
	}
	if err := served.Validate(context.Background()); err != nil {
		t.Fatalf("/openapi.json is not a valid OpenAPI document: %v", err)
	}
	if served.OpenAPI != "3.0.3" {
		t.Errorf("got openapi %q, want 3.0.3", served.OpenAPI)
	}
	source := loadContract(t).doc
	if got, want := canonical(t, served), canonical(t, source); got != want {
		t.Error("/openapi.json differs from openapi.yaml")
	}
	if _, ok := served.Components.SecuritySchemes["bearerAuth"]; !ok {
		t.Error("/openapi.json lacks the bearerAuth security scheme")
	}

	resp, yaml := get(t, s.URL+"/openapi.yaml")
	if resp.StatusCode != 200 || yaml != string(openapiYAML) || resp.Header.Get("Content-Type") != "application/yaml" {
		t.Errorf("/openapi.yaml: got %d %q and %d bytes, want 200 application/yaml and the embedded file", resp.StatusCode, resp.Header.Get("Content-Type"), len(yaml))
	}
}

func canonical(t *testing.T, doc *openapi3.T) string {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var assetRef = regexp.MustCompile(`(?:src|href)="([^"]+)"`)

// TestSwaggerUIPageIsSelfContained checks that every script, style sheet
// and icon of /docs comes from this server, under the lenient tier.
func TestSwaggerUIPageIsSelfContained(t *testing.T) {
	s := startServer(t, map[string]string{"DOCS_ENABLED": "true", "RATE_LIMIT_LENIENT": "500"})
	resp, page := get(t, s.URL+"/docs")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("/docs: got %d %q, want 200 text/html", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if got := resp.Header.Get("X-RateLimit-Limit"); got != "500" {
		t.Errorf("/docs: got X-RateLimit-Limit %q, want the lenient tier's 500", got)
	}
	for _, want := range []string{`url: "openapi.json"`, "persistAuthorization: true", "validatorUrl: null"} {
		if !strings.Contains(page, want) {
			t.Errorf("/docs lacks %s", want)
		}
	}
	refs := assetRef.FindAllStringSubmatch(page, -1)
	if len(refs) < 3 {
		t.Fatalf("got %d asset references in /docs, want at least 3", len(refs))
	}
	for _, m := range refs {
		ref := m[1]
		if strings.Contains(ref, "://") || strings.HasPrefix(ref, "//") {
			t.Errorf("/docs loads %s from another host", ref)
			continue
		}
		resp, body := get(t, s.URL+"/"+ref)
		if resp.StatusCode != 200 || len(body) == 0 {
			t.Errorf("%s: got %d with %d bytes, want 200 and a body", ref, resp.StatusCode, len(body))
		}
	}
}

func TestSwaggerUIAssetsServedSelectively(t *testing.T) {
	s := startServer(t, map[string]string{"DOCS_ENABLED": "true"})
	tests := []struct {
		path, contentType string
		status            int
	}{
		{"/docs/swagger-ui-bundle.js", "text/javascript; charset=utf-8", 200},
		{"/docs/swagger-ui.css", "text/css; charset=utf-8", 200},
		{"/docs/favicon-16x16.png", "image/png", 200},
		{"/docs/swagger-initializer.js", "application/json", 404}, // points at a demo API
		{"/docs/swagger-ui.js.map", "application/json", 404},
		{"/docs/index.html", "application/json", 404},
		{"/docs/nothing.js", "application/json", 404},
		{"/docs/..%2fopenapi.yaml", "application/json", 404},
	}
	for _, tt := range tests {
		resp, _ := get(t, s.URL+tt.path)
		if resp.StatusCode != tt.status || resp.Header.Get("Content-Type") != tt.contentType {
			t.Errorf("GET %s: got %d %q, want %d %q", tt.path, resp.StatusCode, resp.Header.Get("Content-Type"), tt.status, tt.contentType)
		}
	}
}

func TestRedocPageScriptURL(t *testing.T) {
	tests := []struct {
		setting, want string
	}{
		{"", `<script src="` + defaultRedocScriptURL + `" integrity="` + defaultRedocIntegrity + `" crossorigin="anonymous">`},
		{"/static/redoc.standalone.js", `<script src="/static/redoc.standalone.js">`},
		{`https://mirror.example/redoc.js?a=1&b="x"`, `<script src="https://mirror.example/redoc.js?a=1&amp;b=%22x%22">`},
	}
	for _, tt := range tests {
		s := startServer(t, map[string]string{"DOCS_ENABLED": "true", "REDOC_SCRIPT_URL": tt.setting})
		resp, page := get(t, s.URL+"/redoc")
		if resp.StatusCode != 200 || !strings.Contains(page, tt.want) || !strings.Contains(page, `<redoc spec-url="openapi.json">`) {
			t.Errorf("REDOC_SCRIPT_URL=%q: got %d\n%s\nwant it to contain %s", tt.setting, resp.StatusCode, page, tt.want)
		}
	}
}

// TestRedocServedFromLocalFile covers REDOC_SCRIPT_URL=file:PATH, the
// offline option: the page loads the script from this server.
func TestRedocServedFromLocalFile(t *testing.T) {
	script := fakeRedocScript(t)
	want, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, map[string]string{"DOCS_ENABLED": "true", "REDOC_SCRIPT_URL": "file:" + script})
	_, page := get(t, s.URL+"/redoc")
	if !strings.Contains(page, `<script src="redoc/redoc.standalone.js">`) {
		t.Fatalf("/redoc does not load the local script:\n%s", page)
	}
	resp, body := get(t, s.URL+"/redoc/redoc.standalone.js")
	if resp.StatusCode != 200 || body != string(want) || resp.Header.Get("Content-Type") != "text/javascript; charset=utf-8" {
		t.Errorf("got %d %q %q, want 200 text/javascript and the file", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}

	// Without file:, nothing is served there.
	s = startServer(t, map[string]string{"DOCS_ENABLED": "true"})
	if resp, _ := get(t, s.URL+"/redoc/redoc.standalone.js"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("default REDOC_SCRIPT_URL: got %d for the local script, want 404", resp.StatusCode)
	}
}

func TestRedocMissingLocalFileStopsStartUp(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "absent.js")
	cfg, err := loadConfig(envFrom(map[string]string{"DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "db"),
		"DOCS_ENABLED": "true", "REDOC_SCRIPT_URL": "file:" + missing}))
	if err != nil {
		t.Fatal(err)
	}
	a, err := newApp(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err == nil {
		a.Close()
		t.Fatal("newApp succeeded with a missing ReDoc script, want an error")
	}
	if !strings.Contains(err.Error(), "REDOC_SCRIPT_URL") {
		t.Errorf("got error %q, want it to name REDOC_SCRIPT_URL", err)
	}
}
