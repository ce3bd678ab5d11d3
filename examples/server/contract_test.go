package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

func init() {
	// The documentation's pages and assets are text (or an image) that the
	// validator needs no parsing of.
	for _, ct := range []string{"text/html", "text/css", "text/javascript", "application/openmetrics-text"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
	}
	openapi3filter.RegisterBodyDecoder("image/png", openapi3filter.FileBodyDecoder)
}

// contract is openapi.yaml, loaded and validated, with a router that finds
// the documented operation of a request.
type contract struct {
	doc    *openapi3.T
	router routers.Router
}

func loadContract(t *testing.T) *contract {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(openapiYAML)
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is not a valid OpenAPI document: %v", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	return &contract{doc: doc, router: router}
}

// call is one scripted request and what the server must answer.
type call struct {
	name        string
	method      string
	path        string
	token       string
	contentType string
	body        string
	status      int
	// conforms says whether the request itself follows the document; a
	// request the document forbids must be rejected by the validator too.
	conforms bool
}

// recorded is a response as sent over the wire.
type recorded struct {
	status int
	header http.Header
	body   []byte
}

func (r recorded) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

func (c call) request(ctx context.Context, base string) *http.Request {
	req, _ := http.NewRequestWithContext(ctx, c.method, base+c.path, strings.NewReader(c.body))
	if c.body == "" {
		req.Body = http.NoBody
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	return req
}

// check sends c to the server at base, validates the request and the
// response against the document, and returns the response.
func (k *contract) check(t *testing.T, base string, c call) recorded {
	t.Helper()
	resp, err := http.DefaultClient.Do(c.request(context.Background(), base))
	if err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("%s: read body: %v", c.name, err)
	}
	rec := recorded{status: resp.StatusCode, header: resp.Header, body: body}
	if rec.status != c.status {
		t.Fatalf("%s: got status %d (%.500s), want %d", c.name, rec.status, body, c.status)
	}
	k.validate(t, base, c, rec)
	return rec
}

func (k *contract) validate(t *testing.T, base string, c call, rec recorded) {
	t.Helper()
	ctx := context.Background()
	req := c.request(ctx, base)
	route, params, err := k.router.FindRoute(req)
	switch {
	case errors.Is(err, routers.ErrPathNotFound):
		k.validateShared(t, c.name, "NotFound", http.StatusNotFound, rec)
		return
	case errors.Is(err, routers.ErrMethodNotAllowed):
		k.validateShared(t, c.name, "MethodNotAllowed", http.StatusMethodNotAllowed, rec)
		return
	case err != nil:
		t.Fatalf("%s: find route: %v", c.name, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: bearerPresent, MultiError: true}}
	reqErr := openapi3filter.ValidateRequest(ctx, in)
	if c.conforms && reqErr != nil {
		t.Errorf("%s: the request does not follow the document: %v", c.name, reqErr)
	}
	if !c.conforms && reqErr == nil {
		t.Errorf("%s: the document accepts a request the test means to be invalid", c.name)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.status, Header: rec.header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	out.SetBodyBytes(rec.body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		t.Errorf("%s: %d response does not follow the document: %v\nheaders %v\nbody %.500s", c.name, rec.status, err, rec.header, rec.body)
	}
}

// bearerPresent accepts a request for bearerAuth when it carries
// "Authorization: Bearer <something>"; whether the token is good is the
// server's business.
func bearerPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	scheme, token, _ := strings.Cut(in.RequestValidationInput.Request.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return errors.New("no bearer token")
	}
	return nil
}

// validateShared checks a response that no operation sends (the mux's 404
// and 405) against the named shared response of the document.
func (k *contract) validateShared(t *testing.T, name, response string, status int, rec recorded) {
	t.Helper()
	if rec.status != status {
		t.Errorf("%s: got status %d for an undocumented route, want %d", name, rec.status, status)
		return
	}
	ref := k.doc.Components.Responses[response]
	if ref == nil || ref.Value == nil {
		t.Fatalf("document lacks the %s response", response)
	}
	for h, hr := range ref.Value.Headers {
		if hr.Value.Required && rec.header.Get(h) == "" {
			t.Errorf("%s: response lacks the required header %s", name, h)
		}
	}
	mt := ref.Value.Content.Get(rec.header.Get("Content-Type"))
	if mt == nil {
		t.Fatalf("%s: content type %q is not documented for %s", name, rec.header.Get("Content-Type"), response)
	}
	var v any
	if err := json.Unmarshal(rec.body, &v); err != nil {
		t.Fatalf("%s: body is not JSON: %v", name, err)
	}
	if err := mt.Schema.Value.VisitJSON(v, openapi3.MultiErrors()); err != nil {
		t.Errorf("%s: body does not follow %s: %v\n%s", name, response, err, rec.body)
	}
}

func formBody(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v.Encode()
}

func multipartBody(t *testing.T, kv ...string) (contentType, body string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for i := 0; i+1 < len(kv); i += 2 {
		if err := w.WriteField(kv[i], kv[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), buf.String()
}

const formType = "application/x-www-form-urlencoded"

func signupForm(name string) string {
	return formBody("username", name, "email", name+"@example.com", "password", "testpass123", "first_name", "Test", "last_name", "User")
}

// TestContractEveryResponseFollowsTheDocument drives every documented
// operation through its success and error cases and validates each request
// and response against openapi.yaml.
func TestContractEveryResponseFollowsTheDocument(t *testing.T) {
	k := loadContract(t)
	base := startServer(t, map[string]string{"DOCS_ENABLED": "true", "RATE_LIMIT_STRICT": "1000",
		"REDOC_SCRIPT_URL": "file:" + fakeRedocScript(t)}).URL
	check := func(c call) recorded { t.Helper(); return k.check(t, base, c) }

	check(call{name: "health", method: "GET", path: "/health", status: 200, conforms: true})
	check(call{name: "metrics", method: "GET", path: "/metrics", status: 200, conforms: true})

	// Signup: form, JSON; duplicate, missing field, bad types of body.
	signup := check(call{name: "signup form", method: "POST", path: "/api/v1/auth/signup", contentType: formType,
		body: signupForm("contract"), status: 201, conforms: true}).json(t)
	otherUser := check(call{name: "signup json", method: "POST", path: "/api/v1/auth/signup", contentType: "application/json",
		body:   `{"username":"other","email":"other@example.com","password":"testpass123","first_name":"O","last_name":"Ther"}`,
		status: 201, conforms: true}).json(t)
	check(call{name: "signup duplicate", method: "POST", path: "/api/v1/auth/signup", contentType: formType,
		body: signupForm("Contract"), status: 400, conforms: true})
	check(call{name: "signup missing email", method: "POST", path: "/api/v1/auth/signup", contentType: formType,
		body: formBody("username", "x-user", "password", "testpass123", "first_name", "A", "last_name", "B"), status: 422})
	check(call{name: "signup malformed json", method: "POST", path: "/api/v1/auth/signup", contentType: "application/json",
		body: `{"username":`, status: 400})
	check(call{name: "signup text/plain", method: "POST", path: "/api/v1/auth/signup", contentType: "text/plain",
		body: "hello", status: 415})
	check(call{name: "signup too large", method: "POST", path: "/api/v1/auth/signup", contentType: formType,
		body: formBody("username", strings.Repeat("a", 1<<20)), status: 413})

	// Login: form and multipart; wrong password; missing field.
	mpType, mpBody := multipartBody(t, "username", "contract", "password", "testpass123")
	login := check(call{name: "login multipart", method: "POST", path: "/api/v1/auth/login", contentType: mpType,
		body: mpBody, status: 200, conforms: true}).json(t)
	check(call{name: "login form", method: "POST", path: "/api/v1/auth/login", contentType: formType,
		body: formBody("username", "contract@example.com", "password", "testpass123"), status: 200, conforms: true})
	bad := check(call{name: "login wrong password", method: "POST", path: "/api/v1/auth/login", contentType: formType,
		body: formBody("username", "contract", "password", "wrong-password"), status: 401, conforms: true})
	if got := bad.header.Get("WWW-Authenticate"); got != "Bearer" {
		t.Errorf("login 401: got WWW-Authenticate %q, want Bearer", got)
	}
	check(call{name: "login missing password", method: "POST", path: "/api/v1/auth/login", contentType: formType,
		body: formBody("username", "contract"), status: 422})

	// Refresh: success, reuse of the spent token, missing field, malformed.
	refreshBody := `{"refresh_token":"` + signup["refresh_token"].(string) + `"}`
	check(call{name: "refresh", method: "POST", path: "/api/v1/auth/refresh", contentType: "application/json",
		body: refreshBody, status: 200, conforms: true})
	check(call{name: "refresh reused", method: "POST", path: "/api/v1/auth/refresh", contentType: "application/json",
		body: refreshBody, status: 401, conforms: true})
	check(call{name: "refresh missing token", method: "POST", path: "/api/v1/auth/refresh", contentType: "application/json",
		body: `{}`, status: 422})
	check(call{name: "refresh malformed", method: "POST", path: "/api/v1/auth/refresh", contentType: "application/json",
		body: `not json`, status: 400})

	// The profile.
	access := login["access_token"].(string)
	check(call{name: "me", method: "GET", path: "/api/v1/users/me", token: access, status: 200, conforms: true})
	check(call{name: "me without token", method: "GET", path: "/api/v1/users/me", status: 401})
	check(call{name: "me with a bad token", method: "GET", path: "/api/v1/users/me", token: "not-a-jwt", status: 401, conforms: true})
	check(call{name: "patch me", method: "PATCH", path: "/api/v1/users/me", token: access, contentType: "application/json",
		body: `{"first_name":"Ada","last_name":null}`, status: 200, conforms: true})
	check(call{name: "patch me empty name", method: "PATCH", path: "/api/v1/users/me", token: access, contentType: "application/json",
		body: `{"first_name":""}`, status: 422})
	check(call{name: "patch me taken email", method: "PATCH", path: "/api/v1/users/me", token: access, contentType: "application/json",
		body: `{"email":"other@example.com"}`, status: 400, conforms: true})
	check(call{name: "patch me wrong type", method: "PATCH", path: "/api/v1/users/me", token: access, contentType: "application/json",
		body: `{"first_name":7}`, status: 422})

	// Password change.
	check(call{name: "password wrong current", method: "POST", path: "/api/v1/users/me/password", token: access, contentType: "application/json",
		body: `{"current_password":"nope-nope","new_password":"brand-new-pass"}`, status: 400, conforms: true})
	check(call{name: "password too short", method: "POST", path: "/api/v1/users/me/password", token: access, contentType: formType,
		body: formBody("current_password", "testpass123", "new_password", "short"), status: 422})
	changed := check(call{name: "password", method: "POST", path: "/api/v1/users/me/password", token: access, contentType: formType,
		body: formBody("current_password", "testpass123", "new_password", "brand-new-pass"), status: 200, conforms: true}).json(t)
	check(call{name: "me with a token from before the change", method: "GET", path: "/api/v1/users/me", token: access, status: 401, conforms: true})

	// Logout, with and without a body; a revoked token.
	fresh := changed["access_token"].(string)
	check(call{name: "logout with refresh token", method: "POST", path: "/api/v1/auth/logout", token: fresh, contentType: "application/json",
		body: `{"refresh_token":"` + changed["refresh_token"].(string) + `"}`, status: 200, conforms: true})
	check(call{name: "logout again", method: "POST", path: "/api/v1/auth/logout", token: fresh, status: 401, conforms: true})
	check(call{name: "logout without token", method: "POST", path: "/api/v1/auth/logout", status: 401})
	other := otherUser["access_token"].(string)
	check(call{name: "logout without body", method: "POST", path: "/api/v1/auth/logout", token: other, status: 200, conforms: true})

	// Sessions: list, end one, end another user's (404), end the others,
	// end all.
	s1 := check(call{name: "login for sessions", method: "POST", path: "/api/v1/auth/login", contentType: formType,
		body: formBody("username", "contract", "password", "brand-new-pass"), status: 200, conforms: true}).json(t)
	s2 := check(call{name: "second login for sessions", method: "POST", path: "/api/v1/auth/login", contentType: formType,
		body: formBody("username", "contract", "password", "brand-new-pass"), status: 200, conforms: true}).json(t)
	s1Access, s2Access := s1["access_token"].(string), s2["access_token"].(string)
	listed := check(call{name: "list sessions", method: "GET", path: "/api/v1/users/me/sessions", token: s1Access,
		status: 200, conforms: true}).json(t)
	var s2ID string
	for _, v := range listed["sessions"].([]any) {
		if sess := v.(map[string]any); sess["current"] != true {
			s2ID = sess["id"].(string)
		}
	}
	if n := len(listed["sessions"].([]any)); n != 2 || s2ID == "" {
		t.Fatalf("listed sessions %v, want the two live ones", listed)
	}
	check(call{name: "sessions with a logged-out token", method: "GET", path: "/api/v1/users/me/sessions", token: other,
		status: 401, conforms: true})
	third := check(call{name: "third user signs up", method: "POST", path: "/api/v1/auth/signup", contentType: formType,
		body: signupForm("thirduser"), status: 201, conforms: true}).json(t)
	check(call{name: "end another user's session", method: "DELETE", path: "/api/v1/users/me/sessions/" + s2ID,
		token: third["access_token"].(string), status: 404, conforms: true})
	check(call{name: "end a session", method: "DELETE", path: "/api/v1/users/me/sessions/" + s2ID, token: s1Access,
		status: 204, conforms: true})
	check(call{name: "me with the ended session", method: "GET", path: "/api/v1/users/me", token: s2Access, status: 401, conforms: true})
	check(call{name: "end an ended session", method: "DELETE", path: "/api/v1/users/me/sessions/" + s2ID, token: s1Access,
		status: 404, conforms: true})
	check(call{name: "end sessions bad flag", method: "DELETE", path: "/api/v1/users/me/sessions?all=maybe", token: s1Access,
		status: 422})
	check(call{name: "end other sessions", method: "DELETE", path: "/api/v1/users/me/sessions", token: s1Access,
		status: 200, conforms: true})
	check(call{name: "me after ending the others", method: "GET", path: "/api/v1/users/me", token: s1Access, status: 200, conforms: true})
	check(call{name: "end all sessions", method: "DELETE", path: "/api/v1/users/me/sessions?all=true", token: s1Access,
		status: 200, conforms: true})
	check(call{name: "me after ending all", method: "GET", path: "/api/v1/users/me", token: s1Access, status: 401, conforms: true})

	// Deletion.
	relogin := check(call{name: "login after change", method: "POST", path: "/api/v1/auth/login", contentType: formType,
		body: formBody("username", "contract", "password", "brand-new-pass"), status: 200, conforms: true}).json(t)
	token := relogin["access_token"].(string)
	check(call{name: "delete me", method: "DELETE", path: "/api/v1/users/me", token: token, status: 204, conforms: true})
	check(call{name: "me after delete", method: "GET", path: "/api/v1/users/me", token: token, status: 401, conforms: true})
	check(call{name: "delete me without token", method: "DELETE", path: "/api/v1/users/me", status: 401})

	// Routes nobody registered, and a wrong method.
	check(call{name: "unknown route", method: "GET", path: "/api/v1/nothing-here", status: 404})
	check(call{name: "wrong method", method: "GET", path: "/api/v1/auth/login", status: 405})

	// The documentation itself.
	check(call{name: "openapi.json", method: "GET", path: "/openapi.json", status: 200, conforms: true})
	check(call{name: "openapi.yaml", method: "GET", path: "/openapi.yaml", status: 200, conforms: true})
	check(call{name: "swagger ui", method: "GET", path: "/docs", status: 200, conforms: true})
	check(call{name: "swagger ui script", method: "GET", path: "/docs/swagger-ui-bundle.js", status: 200, conforms: true})
	check(call{name: "swagger ui style", method: "GET", path: "/docs/swagger-ui.css", status: 200, conforms: true})
	check(call{name: "swagger ui missing asset", method: "GET", path: "/docs/nothing.js", status: 404, conforms: true})
	check(call{name: "redoc", method: "GET", path: "/redoc", status: 200, conforms: true})
	check(call{name: "redoc script", method: "GET", path: "/redoc/redoc.standalone.js", status: 200, conforms: true})
}

// TestContractRateLimitAndOutage covers the 429 of every tier's limiter and
// the 503 of /health.
func TestContractRateLimitAndOutage(t *testing.T) {
	k := loadContract(t)
	s := startServer(t, map[string]string{"RATE_LIMIT_STRICT": "1", "RATE_LIMIT_LENIENT": "2"})
	check := func(c call) recorded { t.Helper(); return k.check(t, s.URL, c) }
	login := call{name: "login", method: "POST", path: "/api/v1/auth/login", contentType: formType,
		body: formBody("username", "nobody", "password", "whatever1"), status: 401, conforms: true}
	first := check(login)
	if first.header.Get("X-RateLimit-Limit") != "1" || first.header.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("first login: got rate-limit headers %v, want limit 1, remaining 0", first.header)
	}
	login.name, login.status = "login over the limit", 429
	denied := check(login)
	if got := denied.json(t)["error_code"]; got != "RATE_LIMITED" {
		t.Errorf("429: got error_code %v, want RATE_LIMITED", got)
	}
	check(call{name: "health", method: "GET", path: "/health", status: 200, conforms: true})
	s.app.db.Close()
	check(call{name: "health with the database gone", method: "GET", path: "/health", status: 503, conforms: true})
	check(call{name: "health over the limit", method: "GET", path: "/health", status: 429, conforms: true})
}

// documentedOperations lists the document's operations as ServeMux
// patterns ("GET /api/v1/users/me").
func (k *contract) documentedOperations() []string {
	var ops []string
	for path, item := range k.doc.Paths.Map() {
		for method := range item.Operations() {
			ops = append(ops, method+" "+path)
		}
	}
	slices.Sort(ops)
	return ops
}

// patternRecorder lists the patterns routes registers.
type patternRecorder struct{ patterns []string }

func (p *patternRecorder) Handle(pattern string, _ http.Handler) {
	p.patterns = append(p.patterns, pattern)
}

// TestContractEveryRouteIsDocumented fails for a route that routes
// registers but the document lacks.
func TestContractEveryRouteIsDocumented(t *testing.T) {
	k := loadContract(t)
	documented := k.documentedOperations()
	s := startServer(t, map[string]string{"DOCS_ENABLED": "true", "REDOC_SCRIPT_URL": "file:" + fakeRedocScript(t)})
	c, err := s.app.newComponents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var rec patternRecorder
	c.routes(&rec, http.NotFoundHandler())
	if len(rec.patterns) == 0 {
		t.Fatal("routes registered nothing")
	}
	for _, p := range rec.patterns {
		op := strings.NewReplacer("{$}", "", "...}", "}").Replace(p)
		if !slices.Contains(documented, op) {
			t.Errorf("route %q is registered but not documented in openapi.yaml", p)
		}
	}
}

// TestContractEveryDocumentedOperationIsServed fails for an operation that
// the document lists but the server does not route, and for a method the
// server answers on a documented path that the document does not list.
func TestContractEveryDocumentedOperationIsServed(t *testing.T) {
	k := loadContract(t)
	s := startServer(t, map[string]string{"DOCS_ENABLED": "true", "RATE_LIMIT_ENABLED": "false",
		"REDOC_SCRIPT_URL": "file:" + fakeRedocScript(t)})
	for path, item := range k.doc.Paths.Map() {
		concrete := fillPathParams(t, path, item)
		for _, method := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			req, _ := http.NewRequest(method, s.URL+concrete, http.NoBody)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			unrouted := resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed
			documented := item.GetOperation(method) != nil
			switch {
			case documented && unrouted:
				t.Errorf("%s %s is documented but the server answers %d", method, path, resp.StatusCode)
			case !documented && resp.StatusCode != http.StatusMethodNotAllowed:
				t.Errorf("%s %s is not documented but the server answers %d, want 405", method, path, resp.StatusCode)
			}
		}
	}
}

// fillPathParams replaces each path parameter with its example.
func fillPathParams(t *testing.T, path string, item *openapi3.PathItem) string {
	t.Helper()
	for _, op := range item.Operations() {
		for _, p := range op.Parameters {
			if p.Value.In != openapi3.ParameterInPath {
				continue
			}
			if p.Value.Example == nil {
				t.Fatalf("path parameter %s of %s needs an example", p.Value.Name, path)
			}
			path = strings.ReplaceAll(path, "{"+p.Value.Name+"}", fmt.Sprint(p.Value.Example))
		}
	}
	return path
}

// fakeRedocScript writes a stand-in for redoc.standalone.js and returns its
// path, for REDOC_SCRIPT_URL=file:PATH.
func fakeRedocScript(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "redoc.standalone.js")
	if err := os.WriteFile(path, []byte("/* stand-in for ReDoc */ window.Redoc = {};\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
