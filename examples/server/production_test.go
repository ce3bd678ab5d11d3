package main

import (
	"strings"
	"testing"
)

// TestProductionDefaults: in production, /metrics stays off the public
// listener unless METRICS_PUBLIC=true, CORS_ORIGINS=* allows any origin
// without credentials, and the ReDoc page pins its script with an
// integrity hash.
func TestProductionDefaults(t *testing.T) {
	prod := map[string]string{"ENVIRONMENT": "production", "SECRET_KEY": randomSecret(), "DOCS_ENABLED": "true"}
	c := apiClient{t, startServer(t, prod).URL}
	want(t, c.do("GET", "/metrics", "", "", ""), 404)
	r := c.do("GET", "/health", "", "", "", "Origin", "https://evil.example")
	if got, cred := r.header.Get("Access-Control-Allow-Origin"), r.header.Get("Access-Control-Allow-Credentials"); got != "*" || cred != "" {
		t.Errorf("production CORS for any origin: Allow-Origin %q, Allow-Credentials %q; want * and none", got, cred)
	}
	page := c.do("GET", "/redoc", "", "", "")
	want(t, page, 200)
	wantScript := `<script src="` + defaultRedocScriptURL + `" integrity="` + defaultRedocIntegrity + `" crossorigin="anonymous">`
	if !strings.Contains(page.raw, wantScript) {
		t.Errorf("/redoc lacks the pinned script with its integrity hash:\n%s", page.raw)
	}

	prod["METRICS_PUBLIC"] = "true"
	want(t, apiClient{t, startServer(t, prod).URL}.do("GET", "/metrics", "", "", ""), 200)

	dev := apiClient{t, startServer(t, map[string]string{"ENVIRONMENT": "development"}).URL}
	want(t, dev.do("GET", "/metrics", "", "", ""), 200)
	r = dev.do("GET", "/health", "", "", "", "Origin", "https://app.example")
	if got, cred := r.header.Get("Access-Control-Allow-Origin"), r.header.Get("Access-Control-Allow-Credentials"); got != "https://app.example" || cred != "true" {
		t.Errorf("development CORS: Allow-Origin %q, Allow-Credentials %q; want the origin reflected with credentials", got, cred)
	}
}
