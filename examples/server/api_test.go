package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// apiClient speaks to the in-process server.
type apiClient struct {
	t    *testing.T
	base string
}

type apiResponse struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (c apiClient) do(method, path, token, contentType, body string, headers ...string) apiResponse {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(raw, &m)
	return apiResponse{status: resp.StatusCode, header: resp.Header, body: m, raw: string(raw)}
}

func (c apiClient) form(path string, values url.Values) apiResponse {
	c.t.Helper()
	return c.do("POST", path, "", "application/x-www-form-urlencoded", values.Encode())
}

func signupValues(username string) url.Values {
	return url.Values{"username": {username}, "email": {username + "@example.com"}, "password": {"testpass123"},
		"first_name": {"Test"}, "last_name": {"User"}}
}

func (c apiClient) signup(username string) (access, refresh string) {
	c.t.Helper()
	r := c.form("/api/v1/auth/signup", signupValues(username))
	if r.status != 201 || r.body["token_type"] != "bearer" {
		c.t.Fatalf("signup %s: %d %s", username, r.status, r.raw)
	}
	return r.body["access_token"].(string), r.body["refresh_token"].(string)
}

func want(t *testing.T, r apiResponse, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d (%s), want %d", r.status, r.raw, status)
	}
}

// TestDocumentedFlow is the API document's curl flow: signup → login → me.
func TestDocumentedFlow(t *testing.T) {
	c := apiClient{t, startServer(t, nil).URL}
	c.signup("testuser")
	r := c.form("/api/v1/auth/login", url.Values{"username": {"testuser"}, "password": {"testpass123"}})
	want(t, r, 200)
	access := r.body["access_token"].(string)
	if r.body["refresh_token"] == nil || r.body["token_type"] != "bearer" {
		t.Fatalf("login body %s", r.raw)
	}
	me := c.do("GET", "/api/v1/users/me", access, "", "")
	want(t, me, 200)
	for k, v := range map[string]any{"username": "testuser", "email": "testuser@example.com", "first_name": "Test", "last_name": "User"} {
		if me.body[k] != v {
			t.Fatalf("me[%s] = %v, want %v (%s)", k, me.body[k], v, me.raw)
		}
	}
	for _, k := range []string{"id", "created_at", "updated_at"} {
		if me.body[k] == nil {
			t.Fatalf("me lacks %s: %s", k, me.raw)
		}
	}
	if strings.Contains(me.raw, "argon2") || strings.Contains(me.raw, "password") {
		t.Fatalf("profile exposes the password hash: %s", me.raw)
	}
	// Login by email works too; wrong password is the documented 401.
	want(t, c.form("/api/v1/auth/login", url.Values{"username": {"TestUser@Example.com"}, "password": {"testpass123"}}), 200)
	bad := c.form("/api/v1/auth/login", url.Values{"username": {"testuser"}, "password": {"wrong-password"}})
	want(t, bad, 401)
	if bad.body["detail"] != "Incorrect username or password" || bad.body["error_code"] != "UNAUTHORIZED" || bad.header.Get("WWW-Authenticate") != "Bearer" {
		t.Fatalf("bad login: %s %v", bad.raw, bad.header)
	}
	unknown := c.form("/api/v1/auth/login", url.Values{"username": {"nobody"}, "password": {"wrong-password"}})
	want(t, unknown, 401)
	if unknown.body["detail"] != bad.body["detail"] {
		t.Fatalf("unknown user detail %q differs from wrong password %q", unknown.body["detail"], bad.body["detail"])
	}
}

func TestSignupValidationAndDuplicates(t *testing.T) {
	c := apiClient{t, startServer(t, nil).URL}
	v := signupValues("dupuser")
	v.Del("email")
	r := c.form("/api/v1/auth/signup", v)
	want(t, r, 422)
	if !strings.Contains(r.raw, `"loc":["email"]`) || !strings.Contains(r.raw, "value_error.missing") {
		t.Fatalf("422 body %s", r.raw)
	}
	c.signup("dupuser")
	for _, name := range []string{"dupuser", "DupUser"} {
		r := c.form("/api/v1/auth/signup", signupValues(name))
		want(t, r, 400)
		if !strings.HasPrefix(r.body["detail"].(string), "User already exists") {
			t.Fatalf("duplicate detail %v", r.body["detail"])
		}
	}
}

func TestConcurrentSignupsOfOneUsername(t *testing.T) {
	// All 30 must be hashed, however slow the machine (-race): no 503s.
	c := apiClient{t, startServer(t, map[string]string{"RATE_LIMIT_STRICT": "1000", "HASH_MAX_WAIT": "5m"}).URL}
	const n = 30
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			v := signupValues("racer")
			v.Set("email", "racer"+string(rune('a'+i))+"@example.com")
			statuses <- c.form("/api/v1/auth/signup", v).status
		})
	}
	wg.Wait()
	close(statuses)
	counts := map[int]int{}
	for s := range statuses {
		counts[s]++
	}
	if counts[201] != 1 || counts[400] != n-1 {
		t.Fatalf("statuses %v, want one 201 and %d 400", counts, n-1)
	}
}

func TestConcurrentRefreshOfOneToken(t *testing.T) {
	c := apiClient{t, startServer(t, nil).URL}
	_, refresh := c.signup("refresher")
	const n = 2
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			statuses <- c.do("POST", "/api/v1/auth/refresh", "", "application/json", `{"refresh_token":"`+refresh+`"}`).status
		})
	}
	wg.Wait()
	close(statuses)
	counts := map[int]int{}
	for s := range statuses {
		counts[s]++
	}
	if counts[200] != 1 || counts[401] != 1 {
		t.Fatalf("statuses %v, want one 200 and one 401", counts)
	}
}

func TestProfileLifecycle(t *testing.T) {
	c := apiClient{t, startServer(t, nil).URL}
	access, refresh := c.signup("lifecycle")
	r := c.do("PATCH", "/api/v1/users/me", access, "application/json", `{"first_name":"Ada","email":"ADA@Example.com"}`)
	want(t, r, 200)
	if r.body["first_name"] != "Ada" || r.body["last_name"] != "User" || r.body["email"] != "ada@example.com" {
		t.Fatalf("patched profile %s", r.raw)
	}
	want(t, c.do("PATCH", "/api/v1/users/me", access, "application/json", `{"first_name":""}`), 422)

	// Password change: wrong current → 400; right → new tokens, old ones dead.
	want(t, c.do("POST", "/api/v1/users/me/password", access, "application/json", `{"current_password":"nope-nope","new_password":"brand-new-pass"}`), 400)
	r = c.do("POST", "/api/v1/users/me/password", access, "application/json", `{"current_password":"testpass123","new_password":"brand-new-pass"}`)
	want(t, r, 200)
	fresh := r.body["access_token"].(string)
	want(t, c.do("GET", "/api/v1/users/me", access, "", ""), 401)
	want(t, c.do("POST", "/api/v1/auth/refresh", "", "application/json", `{"refresh_token":"`+refresh+`"}`), 401)
	want(t, c.do("GET", "/api/v1/users/me", fresh, "", ""), 200)
	want(t, c.form("/api/v1/auth/login", url.Values{"username": {"lifecycle"}, "password": {"testpass123"}}), 401)
	want(t, c.form("/api/v1/auth/login", url.Values{"username": {"lifecycle"}, "password": {"brand-new-pass"}}), 200)

	// Logout revokes the presented token.
	r = c.do("POST", "/api/v1/auth/logout", fresh, "", "")
	want(t, r, 200)
	if r.body["message"] != "Successfully logged out" {
		t.Fatalf("logout body %s", r.raw)
	}
	want(t, c.do("GET", "/api/v1/users/me", fresh, "", ""), 401)

	// Deletion: 204, then the account's tokens are rejected.
	login := c.form("/api/v1/auth/login", url.Values{"username": {"lifecycle"}, "password": {"brand-new-pass"}})
	token := login.body["access_token"].(string)
	want(t, c.do("DELETE", "/api/v1/users/me", token, "", ""), 204)
	r = c.do("GET", "/api/v1/users/me", token, "", "")
	want(t, r, 401)
	if r.header.Get("WWW-Authenticate") == "" {
		t.Fatal("401 without WWW-Authenticate")
	}
}

func TestRateLimitHeadersAndTiers(t *testing.T) {
	c := apiClient{t, startServer(t, map[string]string{"RATE_LIMIT_STRICT": "3"}).URL}
	for i := range 3 {
		r := c.form("/api/v1/auth/login", url.Values{"username": {"x"}, "password": {"y"}})
		want(t, r, 401)
		if r.header.Get("X-RateLimit-Limit") != "3" || r.header.Get("X-RateLimit-Remaining") != string(rune('0'+2-i)) || r.header.Get("X-RateLimit-Reset") == "" {
			t.Fatalf("request %d headers: %v", i, r.header)
		}
	}
	// Spoofed forwarding headers (no trusted proxies configured) do not
	// give a fresh budget.
	r := c.do("POST", "/api/v1/auth/login", "", "application/x-www-form-urlencoded", "username=x&password=y",
		"X-Forwarded-For", "198.51.100.77", "X-Real-IP", "198.51.100.78")
	want(t, r, 429)
	if r.body["detail"] != "Rate limit exceeded. Please slow down your requests." || r.header.Get("Retry-After") == "" || r.header.Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("429: %s %v", r.raw, r.header)
	}
	// Other tiers are counted apart.
	want(t, c.do("GET", "/health", "", "", ""), 200)
}
