package main

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	swaggerfiles "github.com/swaggo/files/v2"

	"github.com/groundwork-go/groundwork/httpx"
)

// openapiYAML is the API's contract, kept as openapi.yaml beside this file.
// contract_test.go checks every response the server sends against it.
//
//go:embed openapi.yaml
var openapiYAML []byte

// defaultRedocScriptURL is where the ReDoc page loads its script from when
// REDOC_SCRIPT_URL is unset: the redoc package's standalone bundle, pinned
// to one exact version, from a public CDN, checked by the browser against
// defaultRedocIntegrity (Subresource Integrity). No Go module embeds ReDoc,
// so an offline deployment sets REDOC_SCRIPT_URL to file:PATH of a local
// copy, which the server then serves itself at redocScriptPath.
const defaultRedocScriptURL = "https://cdn.jsdelivr.net/npm/redoc@2.5.4/bundles/redoc.standalone.js"

// defaultRedocIntegrity is the SHA-384 of redoc@2.5.4's
// bundles/redoc.standalone.js, as npm publishes it.
const defaultRedocIntegrity = "sha384-w447zOpYfw/1Tv/5AK9NfHTlQIqE3RVR6KY62jCyy9zNDgO64cMwGGP1Fj0zJVf5"

// redocScriptPath is where a local ReDoc script (REDOC_SCRIPT_URL=file:PATH)
// is served.
const redocScriptPath = "/redoc/redoc.standalone.js"

// swaggerAssetTypes are the Swagger UI files served under /docs/, by
// extension, with their content types. Source maps, the stock index page and
// its initializer (which points at a demo API) are not served.
var swaggerAssetTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".png": "image/png",
}

// swaggerExcluded are stock Swagger UI files that would show another API.
var swaggerExcluded = map[string]bool{"swagger-initializer.js": true}

// apiDocs serves the OpenAPI document and the two pages that render it.
type apiDocs struct {
	json      []byte
	swaggerUI []byte
	redoc     []byte
	redocJS   []byte // nil unless REDOC_SCRIPT_URL is file:PATH
	assets    fs.FS
}

// docsRoute is one route of the documentation.
type docsRoute struct {
	pattern string
	handler http.Handler
}

// newAPIDocs parses the embedded document (so /openapi.json is the same
// document in JSON) and renders the pages. redocScriptURL is the src of the
// ReDoc page's script or, as file:PATH, a local copy to read now and serve;
// integrity, when set, is the script's Subresource Integrity hash.
func newAPIDocs(redocScriptURL, integrity string) (*apiDocs, error) {
	doc, err := openapi3.NewLoader().LoadFromData(openapiYAML)
	if err != nil {
		return nil, fmt.Errorf("load openapi.yaml: %w", err)
	}
	js, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode openapi.json: %w", err)
	}
	d := &apiDocs{json: js, assets: swaggerfiles.FS}
	if file, ok := strings.CutPrefix(redocScriptURL, "file:"); ok {
		if d.redocJS, err = os.ReadFile(file); err != nil {
			return nil, fmt.Errorf("REDOC_SCRIPT_URL: %w", err)
		}
		redocScriptURL = strings.TrimPrefix(redocScriptPath, "/") // relative, like the page's other URLs
		integrity = ""                                            // served by this server itself
	}
	if d.swaggerUI, err = render(swaggerUIPage, nil); err != nil {
		return nil, err
	}
	if d.redoc, err = render(redocPage, redocScript{URL: redocScriptURL, Integrity: integrity}); err != nil {
		return nil, err
	}
	return d, nil
}

func render(t *template.Template, data any) ([]byte, error) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("render %s: %w", t.Name(), err)
	}
	return buf.Bytes(), nil
}

// routes lists the documentation's routes, one pattern each.
func (d *apiDocs) routes() []docsRoute {
	rs := []docsRoute{
		{"GET /openapi.json", staticBody("application/json", d.json)},
		{"GET /openapi.yaml", staticBody("application/yaml", openapiYAML)},
		{"GET /docs", staticBody("text/html; charset=utf-8", d.swaggerUI)},
		{"GET /docs/{file}", http.HandlerFunc(d.serveAsset)},
		{"GET /redoc", staticBody("text/html; charset=utf-8", d.redoc)},
	}
	if d.redocJS != nil {
		rs = append(rs, docsRoute{"GET " + redocScriptPath, staticBody("text/javascript; charset=utf-8", d.redocJS)})
	}
	return rs
}

// staticBody answers every request with body.
func staticBody(contentType string, body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(body)
	})
}

// serveAsset serves one of Swagger UI's scripts, style sheets or icons from
// the embedded copy, so /docs works without internet access.
func (d *apiDocs) serveAsset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	contentType, ok := swaggerAssetTypes[path.Ext(name)]
	if !ok || swaggerExcluded[name] || !fs.ValidPath(name) {
		httpx.WriteError(w, r, httpx.NotFound("Not Found"))
		return
	}
	body, err := fs.ReadFile(d.assets, name)
	if err != nil {
		httpx.WriteError(w, r, httpx.NotFound("Not Found"))
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(body)
}

// swaggerUIPage loads Swagger UI from /docs/ and the document from
// /openapi.json, both by relative URL so the page also works behind a
// reverse proxy that mounts the server under a path. "Try it out" calls the
// document's server ("/", this origin); the Bearer token entered under
// Authorize is kept in the browser's local storage across reloads. The
// online validator badge is off: it would call a third-party service.
var swaggerUIPage = template.Must(template.New("swagger-ui").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Groundwork API – Swagger UI</title>
<link rel="stylesheet" href="docs/swagger-ui.css">
<link rel="icon" type="image/png" href="docs/favicon-32x32.png" sizes="32x32">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({
  url: "openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
  displayRequestDuration: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout"
});
</script>
</body>
</html>
`))

// redocScript is the ReDoc page's script element.
type redocScript struct {
	URL, Integrity string
}

// redocPage renders the document with ReDoc, whose script comes from
// REDOC_SCRIPT_URL (or this server, for file:PATH).
var redocPage = template.Must(template.New("redoc").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Groundwork API – ReDoc</title>
</head>
<body>
<redoc spec-url="openapi.json"></redoc>
<script src="{{.URL}}"{{if .Integrity}} integrity="{{.Integrity}}" crossorigin="anonymous"{{end}}></script>
</body>
</html>
`))
