package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/groundwork-go/groundwork/examples/client/api"
	"github.com/groundwork-go/groundwork/examples/client/cli"
	"github.com/groundwork-go/groundwork/examples/client/session"
)

// validatingDoer sends the generated client's requests, validates each
// request and response against openapi.yaml, and counts the operations it
// saw by operationId.
type validatingDoer struct {
	t    *testing.T
	k    *contract
	base string

	mu   sync.Mutex
	seen map[string]int
}

func (d *validatingDoer) Do(req *http.Request) (*http.Response, error) {
	d.t.Helper()
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	c := call{name: req.Method + " " + req.URL.RequestURI(), method: req.Method, path: req.URL.RequestURI(),
		token: strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer "), contentType: req.Header.Get("Content-Type"),
		body: string(body), status: resp.StatusCode, conforms: true}
	d.k.validate(d.t, d.base, c, recorded{status: resp.StatusCode, header: resp.Header, body: respBody})
	if route, _, err := d.k.router.FindRoute(c.request(context.Background(), d.base)); err == nil {
		d.mu.Lock()
		d.seen[route.Operation.OperationID]++
		d.mu.Unlock()
	}
	return resp, nil
}

// operationIDs lists the document's operationIds.
func (k *contract) operationIDs() []string {
	var ids []string
	for _, item := range k.doc.Paths.Map() {
		for _, op := range item.Operations() {
			ids = append(ids, op.OperationID)
		}
	}
	slices.Sort(ids)
	return ids
}

// result is what every result type of the generated client has.
type result = interface{ StatusCode() int }

// wantStatus fails the test when a generated client's call failed or
// answered another status than want.
func wantStatus(t *testing.T, name string, res result, err error, want int) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if got := res.StatusCode(); got != want {
		t.Fatalf("%s: got status %d, want %d", name, got, want)
	}
}

// bearer is a request editor that sends token.
func bearer(token string) api.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+token)
		return nil
	}
}

// TestContractThroughGeneratedClient drives every operation of
// openapi.yaml through the client generated from it (examples/client/api)
// and its token flow (examples/client/session), validating each request and
// response against the document, so the document is proven usable for code
// generation. It fails for an operation that no call exercised.
func TestContractThroughGeneratedClient(t *testing.T) {
	k := loadContract(t)
	base := startServer(t, map[string]string{"DOCS_ENABLED": "true", "RATE_LIMIT_STRICT": "1000",
		"REDOC_SCRIPT_URL": "file:" + fakeRedocScript(t)}).URL
	doer := &validatingDoer{t: t, k: k, base: base, seen: map[string]int{}}
	ctx := context.Background()
	plain, err := api.NewClientWithResponses(base, api.WithHTTPClient(doer))
	if err != nil {
		t.Fatal(err)
	}
	newSession := func() *session.Client {
		t.Helper()
		s, err := session.New(base, session.Options{HTTPClient: doer})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	// Health and documentation.
	health, err := plain.HealthWithResponse(ctx)
	wantStatus(t, "health", health, err, 200)
	if got := health.JSON200; got.Status != api.HealthyStatusHealthy {
		t.Errorf("health: got status %q, want healthy", got.Status)
	}
	for _, op := range []struct {
		name string
		call func() (result, error)
	}{
		{"metrics", func() (result, error) { return plain.MetricsWithResponse(ctx) }},
		{"openapi.json", func() (result, error) { return plain.OpenapiJSONWithResponse(ctx) }},
		{"openapi.yaml", func() (result, error) { return plain.OpenapiYAMLWithResponse(ctx) }},
		{"swagger ui", func() (result, error) { return plain.SwaggerUIWithResponse(ctx) }},
		{"swagger ui asset", func() (result, error) {
			return plain.SwaggerUIAssetWithResponse(ctx, "swagger-ui.css")
		}},
		{"redoc", func() (result, error) { return plain.RedocWithResponse(ctx) }},
		{"redoc script", func() (result, error) { return plain.RedocScriptWithResponse(ctx) }},
	} {
		res, err := op.call()
		wantStatus(t, op.name, res, err, 200)
	}

	// Signup, the profile, and the deprecated login alias.
	const password = "testpass123"
	first := newSession()
	if _, err := first.Signup(ctx, api.SignupRequest{Username: "gen", Email: openapi_types.Email("gen@example.com"),
		Password: password, FirstName: "Gen", LastName: "Erated"}); err != nil {
		t.Fatalf("signup: %v", err)
	}
	me, err := first.API().GetMeWithResponse(ctx)
	wantStatus(t, "me", me, err, 200)
	if got := me.JSON200; got.Username != "gen" || got.Email != "gen@example.com" {
		t.Errorf("me: got %+v, want gen", got)
	}
	name := "Ada"
	updated, err := first.API().UpdateMeWithResponse(ctx, api.ProfileUpdate{FirstName: &name})
	wantStatus(t, "update me", updated, err, 200)
	if got := updated.JSON200; got.FirstName != "Ada" || got.LastName != "Erated" {
		t.Errorf("update me: got %+v, want first name Ada, last name unchanged", got)
	}
	alias, err := plain.LoginTokenWithFormdataBodyWithResponse(ctx, api.LoginRequest{Username: "gen", Password: password})
	wantStatus(t, "login token alias", alias, err, 200)
	if alias.HTTPResponse.Header.Get("Deprecation") == "" {
		t.Errorf("login token alias: no Deprecation header")
	}

	// A second session; list, end it from the first; its refresh then
	// fails and its 401 stands.
	second := newSession()
	if _, err := second.Login(ctx, "gen", password); err != nil {
		t.Fatalf("login: %v", err)
	}
	listed, err := first.API().ListSessionsWithResponse(ctx)
	wantStatus(t, "list sessions", listed, err, 200)
	sessions := listed.JSON200.Sessions
	// Newest first: the second session's login, the alias login, then the
	// signup's (the current one).
	if len(sessions) != 3 || sessions[0].Current || !sessions[2].Current {
		t.Fatalf("list sessions: got %+v, want three, the oldest current", sessions)
	}
	secondID := sessions[0].Id
	ended, err := first.API().EndSessionWithResponse(ctx, secondID)
	wantStatus(t, "end session", ended, err, 204)
	gone, err := second.API().GetMeWithResponse(ctx)
	wantStatus(t, "me with an ended session", gone, err, 401)
	if second.Tokens().AccessToken != "" {
		t.Errorf("a session the server ended still has tokens")
	}

	// Refresh: explicitly, and on a 401 of a dead access token with a live
	// refresh token.
	if err := first.Refresh(ctx); err != nil {
		t.Fatalf("refresh: %v", err)
	}
	live := first.Tokens()
	first.SetTokens(api.TokenPair{AccessToken: "not-a-jwt", RefreshToken: live.RefreshToken, TokenType: live.TokenType, ExpiresIn: live.ExpiresIn})
	me, err = first.API().GetMeWithResponse(ctx)
	wantStatus(t, "me after a refresh on 401", me, err, 200)
	if got := first.Tokens(); got.AccessToken == "not-a-jwt" || *got.RefreshToken == *live.RefreshToken {
		t.Errorf("the 401 did not rotate the token pair")
	}

	// Password change, ending the other sessions, logout.
	const newPassword = "brand-new-pass"
	if _, err := first.ChangePassword(ctx, password, newPassword); err != nil {
		t.Fatalf("change password: %v", err)
	}
	third := newSession()
	if _, err := third.Login(ctx, "gen@example.com", newPassword); err != nil {
		t.Fatalf("login after the change: %v", err)
	}
	others, err := third.API().EndSessionsWithResponse(ctx, &api.EndSessionsParams{})
	wantStatus(t, "end other sessions", others, err, 200)
	if got := others.JSON200; got.Ended != 1 {
		t.Errorf("end other sessions: got %d ended, want 1", got.Ended)
	}
	stale := third.Tokens().AccessToken
	if err := third.Logout(ctx); err != nil {
		t.Fatalf("logout: %v", err)
	}
	after, err := plain.GetMeWithResponse(ctx, bearer(stale))
	wantStatus(t, "me after logout", after, err, 401)
	if err := third.Logout(ctx); !errors.Is(err, session.ErrNoSession) {
		t.Errorf("second logout: got %v, want ErrNoSession", err)
	}

	// Ending all sessions, and the account.
	fourth, fifth := newSession(), newSession()
	for _, s := range []*session.Client{fourth, fifth} {
		if _, err := s.Login(ctx, "gen", newPassword); err != nil {
			t.Fatalf("login: %v", err)
		}
	}
	all := true
	everything, err := fourth.API().EndSessionsWithResponse(ctx, &api.EndSessionsParams{All: &all})
	wantStatus(t, "end all sessions", everything, err, 200)
	if got := everything.JSON200; got.Ended != 2 {
		t.Errorf("end all sessions: got %d ended, want 2", got.Ended)
	}
	if _, err := fifth.Login(ctx, "gen", newPassword); err != nil {
		t.Fatalf("login: %v", err)
	}
	deleted, err := fifth.API().DeleteMeWithResponse(ctx)
	wantStatus(t, "delete me", deleted, err, 204)

	for _, id := range k.operationIDs() {
		if doer.seen[id] == 0 {
			t.Errorf("operation %s was not driven through the generated client", id)
		}
	}
}

// countingDoer sends requests with http.DefaultClient and counts them by
// path.
type countingDoer struct {
	refreshes atomic.Int64
}

func (d *countingDoer) Do(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.URL.Path, "/auth/refresh") {
		d.refreshes.Add(1)
	}
	return http.DefaultClient.Do(req)
}

// TestClientRefreshesOnceForConcurrentRequests sends concurrent requests
// with a dead access token and a live refresh token: the session client
// must refresh once and repeat every request with the new token. Two
// refreshes with one token would end the session (reuse detection), and
// the requests would fail.
func TestClientRefreshesOnceForConcurrentRequests(t *testing.T) {
	base := startServer(t, map[string]string{"RATE_LIMIT_ENABLED": "false"}).URL
	ctx := context.Background()
	doer := &countingDoer{}
	c, err := session.New(base, session.Options{HTTPClient: doer})
	if err != nil {
		t.Fatal(err)
	}
	pair, err := c.Signup(ctx, api.SignupRequest{Username: "racer", Email: "racer@example.com",
		Password: "testpass123", FirstName: "Ra", LastName: "Cer"})
	if err != nil {
		t.Fatalf("signup: %v", err)
	}
	pair.AccessToken = "not-a-jwt"
	c.SetTokens(pair)

	const n = 16
	codes := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			res, err := c.API().GetMeWithResponse(ctx)
			if errs[i] = err; err == nil {
				codes[i] = res.StatusCode()
			}
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || codes[i] != http.StatusOK {
			t.Errorf("request %d: got %d, %v, want 200", i, codes[i], errs[i])
		}
	}
	if got := doer.refreshes.Load(); got != 1 {
		t.Errorf("got %d refresh requests, want 1", got)
	}
	listed, err := c.API().ListSessionsWithResponse(ctx)
	wantStatus(t, "list sessions", listed, err, 200)
	if got := len(listed.JSON200.Sessions); got != 1 {
		t.Errorf("got %d live sessions, want the one", got)
	}
}

// runCLI runs the example client's command line against base with the
// given password and returns its exit status, stdout and stderr.
func runCLI(t *testing.T, base, password string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	env := map[string]string{"GROUNDWORK_URL": base, "GROUNDWORK_PASSWORD": password}
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code = cli.Run(ctx, args, func(k string) string { return env[k] },
		cli.IO{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut})
	return code, out.String(), errOut.String()
}

// TestClientCommandLine runs signup, login, me and logout of the example
// client's command line against the server: each prints JSON, a refresh on
// the way is kept in the tokens file, and no token reaches stderr.
func TestClientCommandLine(t *testing.T) {
	base := startServer(t, nil).URL
	tokens := filepath.Join(t.TempDir(), "tokens.json")
	readPair := func() api.TokenPair {
		t.Helper()
		data, err := os.ReadFile(tokens)
		if err != nil {
			t.Fatal(err)
		}
		var p api.TokenPair
		if err := json.Unmarshal(data, &p); err != nil {
			t.Fatalf("tokens file: %v: %s", err, data)
		}
		return p
	}
	var secrets []string
	noSecrets := func(name, stderr string) {
		t.Helper()
		for _, s := range secrets {
			if s != "" && strings.Contains(stderr, s) {
				t.Errorf("%s: stderr shows a token: %s", name, stderr)
			}
		}
	}

	code, out, errOut := runCLI(t, base, "testpass123", "-tokens", tokens, "signup",
		"-username", "cli", "-email", "cli@example.com", "-first-name", "Cl", "-last-name", "I")
	var signed api.TokenPair
	if err := json.Unmarshal([]byte(out), &signed); code != 0 || err != nil || signed.AccessToken == "" || errOut != "" {
		t.Fatalf("signup: got %d, %q (%v), stderr %q, want 0 and a token pair", code, out, err, errOut)
	}
	if got := readPair(); got.AccessToken != signed.AccessToken {
		t.Errorf("signup: the tokens file does not hold the printed pair")
	}
	code, out, errOut = runCLI(t, base, "testpass123", "-tokens", tokens, "login", "-username", "cli")
	var pair api.TokenPair
	if err := json.Unmarshal([]byte(out), &pair); code != 0 || err != nil || pair.RefreshToken == nil || errOut != "" {
		t.Fatalf("login: got %d, %q (%v), stderr %q, want 0 and a token pair", code, out, err, errOut)
	}
	secrets = append(secrets, signed.AccessToken, *signed.RefreshToken, pair.AccessToken, *pair.RefreshToken)
	if fi, err := os.Stat(tokens); err != nil {
		t.Fatal(err)
	} else if fi.Mode().Perm() != 0o600 {
		t.Errorf("tokens file: got mode %v, want 0600", fi.Mode().Perm())
	}

	// me with a dead access token: refreshed on the way, the new pair kept.
	dead := pair
	dead.AccessToken = "not-a-jwt"
	data, _ := json.Marshal(dead)
	if err := os.WriteFile(tokens, data, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCLI(t, base, "", "-tokens", tokens, "me")
	var user api.User
	if err := json.Unmarshal([]byte(out), &user); code != 0 || err != nil || user.Username != "cli" || errOut != "" {
		t.Fatalf("me: got %d, %q (%v), stderr %q, want 0 and the user cli", code, out, err, errOut)
	}
	kept := readPair()
	if kept.AccessToken == "not-a-jwt" || kept.RefreshToken == nil || *kept.RefreshToken == *pair.RefreshToken {
		t.Errorf("me: the refreshed pair was not kept in the tokens file")
	}
	secrets = append(secrets, kept.AccessToken, *kept.RefreshToken)

	code, _, errOut = runCLI(t, base, "wrong-password", "login", "-username", "cli")
	if code != 1 || !strings.Contains(errOut, "401") {
		t.Errorf("login with a wrong password: got %d, stderr %q, want 1 and the 401", code, errOut)
	}
	noSecrets("wrong login", errOut)

	code, out, errOut = runCLI(t, base, "", "-tokens", tokens, "logout")
	if code != 0 || !strings.Contains(out, "Logged out") || errOut != "" {
		t.Errorf("logout: got %d, %q, stderr %q, want 0", code, out, errOut)
	}
	code, _, errOut = runCLI(t, base, "", "-tokens", tokens, "me")
	if code != 1 {
		t.Errorf("me after logout: got %d, stderr %q, want 1", code, errOut)
	}
	noSecrets("me after logout", errOut)
	code, _, errOut = runCLI(t, base, "", "unknown-command")
	if code != 2 {
		t.Errorf("unknown command: got %d, stderr %q, want 2", code, errOut)
	}
}

// deprecationPolicyMonths is the shortest notice the README's versioning policy
// allows between a route's deprecation and its sunset.
const deprecationPolicyMonths = 6

// TestContractDeprecationInStep fails when an operation is deprecated in
// the server's headers but not in openapi.yaml, or the other way round. A
// request without credentials or body reaches every route: the headers are
// set before the handler runs, so its error responses carry them too. A
// deprecated route must also announce a sunset at least six months after
// its deprecation date, and link to the notice.
func TestContractDeprecationInStep(t *testing.T) {
	k := loadContract(t)
	s := startServer(t, map[string]string{"DOCS_ENABLED": "true", "RATE_LIMIT_ENABLED": "false",
		"REDOC_SCRIPT_URL": "file:" + fakeRedocScript(t)})
	deprecated := 0
	for path, item := range k.doc.Paths.Map() {
		concrete := fillPathParams(t, path, item)
		for method, op := range item.Operations() {
			name := method + " " + path
			req, _ := http.NewRequest(method, s.URL+concrete, http.NoBody)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			header := resp.Header.Get("Deprecation")
			switch {
			case op.Deprecated && header == "":
				t.Errorf("%s is deprecated in openapi.yaml but its %d response has no Deprecation header", name, resp.StatusCode)
			case !op.Deprecated && header != "":
				t.Errorf("%s sends Deprecation: %s but openapi.yaml does not mark it deprecated", name, header)
			case op.Deprecated:
				deprecated++
				checkDeprecationHeaders(t, name, resp.Header)
			}
		}
	}
	if deprecated == 0 {
		t.Error("no deprecated route checked; the example server shows one (POST /api/v1/auth/token)")
	}
}

// checkDeprecationHeaders checks the headers of a deprecated route against
// the versioning policy.
func checkDeprecationHeaders(t *testing.T, name string, h http.Header) {
	t.Helper()
	secs, err := strconv.ParseInt(strings.TrimPrefix(h.Get("Deprecation"), "@"), 10, 64)
	if err != nil || !strings.HasPrefix(h.Get("Deprecation"), "@") {
		t.Errorf("%s: Deprecation %q is not an RFC 9745 date", name, h.Get("Deprecation"))
		return
	}
	sunset, err := http.ParseTime(h.Get("Sunset"))
	if err != nil {
		t.Errorf("%s: Sunset %q: %v", name, h.Get("Sunset"), err)
		return
	}
	if earliest := time.Unix(secs, 0).AddDate(0, deprecationPolicyMonths, 0); sunset.Before(earliest) {
		t.Errorf("%s: sunset %v is less than %d months after the deprecation %v", name, sunset, deprecationPolicyMonths, time.Unix(secs, 0).UTC())
	}
	if !slices.ContainsFunc(h.Values("Link"), func(v string) bool { return strings.HasSuffix(v, `; rel="deprecation"`) }) {
		t.Errorf("%s: no Link with rel=\"deprecation\" in %q", name, h.Values("Link"))
	}
}

// TestContractTokenAliasDocumentedAsLogin keeps the deprecated alias's
// documentation in step with the operation it forwards to.
func TestContractTokenAliasDocumentedAsLogin(t *testing.T) {
	k := loadContract(t)
	login := k.doc.Paths.Find("/api/v1/auth/login").Post
	alias := k.doc.Paths.Find("/api/v1/auth/token").Post
	for _, part := range []struct {
		name      string
		got, want any
	}{
		{"request body", alias.RequestBody, login.RequestBody},
		{"responses", alias.Responses, login.Responses},
		{"security", alias.Security, login.Security},
	} {
		got, _ := json.Marshal(part.got)
		want, _ := json.Marshal(part.want)
		if !bytes.Equal(got, want) {
			t.Errorf("POST /api/v1/auth/token documents its %s as\n%s\nwant that of POST /api/v1/auth/login\n%s", part.name, got, want)
		}
	}
}
