package main

import (
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/internal/testenv"
)

// logoutFramings are the ways a client may send POST /auth/logout's
// optional body.
var logoutFramings = []struct {
	name        string
	contentType string
	body        func(refresh string) string
	chunked     bool
}{
	{"no body", "", func(string) string { return "" }, false},
	{"JSON body", "application/json", func(rt string) string { return `{"refresh_token":"` + rt + `"}` }, false},
	{"empty chunked body", "application/json", func(string) string { return "" }, true},
}

// logout sends POST /auth/logout in the given framing.
func logout(t *testing.T, base, access, contentType, body string, chunked bool) apiResponse {
	t.Helper()
	req, err := http.NewRequest("POST", base+"/api/v1/auth/logout", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if chunked {
		req.Body = io.NopCloser(strings.NewReader(body)) // no length: sent chunked
		req.ContentLength = -1
	}
	req.Header.Set("Authorization", "Bearer "+access)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return apiResponse{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
}

func (c apiClient) login(username, password string) (access, refresh string) {
	c.t.Helper()
	r := c.form("/api/v1/auth/login", url.Values{"username": {username}, "password": {password}})
	if r.status != 200 {
		c.t.Fatalf("login %s: %d %s", username, r.status, r.raw)
	}
	return r.body["access_token"].(string), r.body["refresh_token"].(string)
}

func (c apiClient) refresh(refresh string) apiResponse {
	c.t.Helper()
	return c.do("POST", "/api/v1/auth/refresh", "", "application/json", `{"refresh_token":"`+refresh+`"}`)
}

// Logout ends the session in every framing: its access and refresh tokens
// die on this instance at once, and on a second instance sharing the
// database and Redis within the propagation bound (refresh at once: it
// asks the database).
func TestLogoutEndsTheSessionOnEveryInstance(t *testing.T) {
	env := sharedEnv(t, testenv.Redis(t), map[string]string{"RATE_LIMIT_ENABLED": "false"})
	a, b := apiClient{t, startServer(t, env).URL}, apiClient{t, startServer(t, env).URL}
	a.signup("logoutuser")
	for _, f := range logoutFramings {
		t.Run(f.name, func(t *testing.T) {
			a, b := apiClient{t, a.base}, apiClient{t, b.base}
			access, refresh := a.login("logoutuser", "testpass123")
			otherAccess, _ := a.login("logoutuser", "testpass123")
			want(t, b.do("GET", "/api/v1/users/me", access, "", ""), 200) // B has it cached as valid
			want(t, logout(t, a.base, access, f.contentType, f.body(refresh), f.chunked), 200)
			want(t, a.do("GET", "/api/v1/users/me", access, "", ""), 401)
			want(t, a.refresh(refresh), 401)
			want(t, b.refresh(refresh), 401)
			delay := eventually(t, 2*time.Second, "logout on A seen on B", func() bool {
				return b.do("GET", "/api/v1/users/me", access, "", "").status == 401
			})
			t.Logf("logout on A rejected on B after %v", delay)
			want(t, b.do("GET", "/api/v1/users/me", otherAccess, "", ""), 200)
		})
	}
}

// A replayed refresh token ends its whole session, through the API.
func TestRefreshReuseEndsTheSession(t *testing.T) {
	c := apiClient{t, startServer(t, map[string]string{"RATE_LIMIT_ENABLED": "false"}).URL}
	a1, r1 := c.signup("reuseuser")
	first := c.refresh(r1)
	want(t, first, 200)
	a2, r2 := first.body["access_token"].(string), first.body["refresh_token"].(string)
	want(t, c.do("GET", "/api/v1/users/me", a2, "", ""), 200)
	want(t, c.refresh(r1), 401) // the replay: theft
	for name, tok := range map[string]string{"first access": a1, "second access": a2} {
		if r := c.do("GET", "/api/v1/users/me", tok, "", ""); r.status != 401 {
			t.Errorf("%s token after reuse: %d, want 401", name, r.status)
		}
	}
	want(t, c.refresh(r2), 401)
}

// The embedded default keeps sessions in its SQLite file: after a restart
// in the same directory with the same SECRET_KEY, an ended session's
// tokens stay dead and a live session keeps working.
func TestEmbeddedRestartKeepsRevocations(t *testing.T) {
	env := map[string]string{
		"DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "groundwork.db"),
		"REDIS_URL":    "",
		"SECRET_KEY":   randomSecret(),
	}
	first := startServer(t, env)
	c := apiClient{t, first.URL}
	c.signup("restartuser")
	endedAccess, endedRefresh := c.login("restartuser", "testpass123")
	liveAccess, liveRefresh := c.login("restartuser", "testpass123")
	want(t, logout(t, c.base, endedAccess, "application/json", `{"refresh_token":"`+endedRefresh+`"}`, false), 200)
	first.Close()
	first.app.Close()

	c = apiClient{t, startServer(t, env).URL}
	want(t, c.do("GET", "/api/v1/users/me", endedAccess, "", ""), 401)
	want(t, c.refresh(endedRefresh), 401)
	want(t, c.do("GET", "/api/v1/users/me", liveAccess, "", ""), 200)
	want(t, c.refresh(liveRefresh), 200)

	// A password change survives a restart too.
	oldAccess, oldRefresh := c.login("restartuser", "testpass123")
	want(t, c.do("POST", "/api/v1/users/me/password", oldAccess, "application/json",
		`{"current_password":"testpass123","new_password":"another-pass-1"}`), 200)
	c = apiClient{t, startServer(t, env).URL}
	want(t, c.do("GET", "/api/v1/users/me", oldAccess, "", ""), 401)
	want(t, c.refresh(oldRefresh), 401)
	c.login("restartuser", "another-pass-1")
}

// With the revocation store hung, logout and password change answer 503
// within AUTH_WRITE_TIMEOUT (plus the other bounded steps), and a failed
// password change leaves the old password working.
func TestHungRevocationStoreBoundsWrites(t *testing.T) {
	const writeTimeout = 300 * time.Millisecond
	s, proxy := serverBehindRedisProxy(t, map[string]string{
		"AUTH_WRITE_TIMEOUT": writeTimeout.String(), "RATE_LIMIT_ENABLED": "false"})
	c := apiClient{t, s.URL}
	access, _ := c.signup("hungwrites")
	want(t, c.do("GET", "/api/v1/users/me", access, "", ""), 200)
	// A password change's own work (two argon2 hashes) with Redis well.
	warm, _ := c.signup("hungwrites2")
	r, hashing := timedCall(t, "POST", s.URL+"/api/v1/users/me/password", warm, "application/json",
		`{"current_password":"testpass123","new_password":"changed-pass-1"}`)
	want(t, r, 200)

	proxy.hang()
	// The bound: the revocation check (500 ms, unless answered from the
	// client-side cache), one write timeout, and slack.
	bound := 500*time.Millisecond + writeTimeout + time.Second
	var d time.Duration
	r, d = timedCall(t, "POST", s.URL+"/api/v1/auth/logout", access, "", "")
	if r.status != 503 || d > bound {
		t.Fatalf("logout with Redis hung: %d in %v, want 503 within %v", r.status, d, bound)
	}
	r, d = timedCall(t, "POST", s.URL+"/api/v1/users/me/password", access, "application/json",
		`{"current_password":"testpass123","new_password":"never-applied-1"}`)
	if r.status != 503 || d > bound+2*hashing {
		t.Fatalf("password change with Redis hung: %d in %v, want 503 within %v", r.status, d, bound+2*hashing)
	}

	proxy.stop()
	proxy.start()
	eventually(t, 15*time.Second, "recovery after the hung Redis restarted", func() bool {
		h, _ := timedCall(t, "GET", s.URL+"/health", "", "", "")
		return h.status == 200
	})
	if r := c.form("/api/v1/auth/login", url.Values{"username": {"hungwrites"}, "password": {"never-applied-1"}}); r.status != 401 {
		t.Fatalf("the new password of a failed change logs in: %d, want 401", r.status)
	}
	fresh, _ := c.login("hungwrites", "testpass123")
	want(t, c.do("GET", "/api/v1/users/me", fresh, "", ""), 200)
}

// The session list shows the caller's sessions with the current one
// marked; ending one kills only its tokens; another user's session is 404.
func TestSessionsEndpoints(t *testing.T) {
	c := apiClient{t, startServer(t, map[string]string{"RATE_LIMIT_ENABLED": "false"}).URL}
	mine, _ := c.signup("sessionsuser")
	phoneAccess, phoneRefresh := c.login("sessionsuser", "testpass123")
	stranger, _ := c.signup("stranger")

	list := c.do("GET", "/api/v1/users/me/sessions", mine, "", "", "User-Agent", "laptop-browser/1.0")
	want(t, list, 200)
	sessions := list.body["sessions"].([]any)
	if len(sessions) != 2 {
		t.Fatalf("sessions = %s, want 2", list.raw)
	}
	var phoneID string
	current := 0
	for _, v := range sessions {
		s := v.(map[string]any)
		if s["current"] == true {
			current++
		} else {
			phoneID = s["id"].(string)
		}
		if s["client_ip"] != "127.0.0.1" || s["user_agent"] != "Go-http-client/1.1" {
			t.Errorf("session %v: want client_ip 127.0.0.1 and the signup's User-Agent", s)
		}
	}
	if current != 1 || phoneID == "" {
		t.Fatalf("sessions = %s, want exactly one current", list.raw)
	}
	want(t, c.do("DELETE", "/api/v1/users/me/sessions/"+phoneID, stranger, "", ""), 404)
	want(t, c.do("GET", "/api/v1/users/me", phoneAccess, "", ""), 200)
	want(t, c.do("DELETE", "/api/v1/users/me/sessions/"+phoneID, mine, "", ""), 204)
	want(t, c.do("GET", "/api/v1/users/me", phoneAccess, "", ""), 401)
	want(t, c.refresh(phoneRefresh), 401)
	want(t, c.do("GET", "/api/v1/users/me", mine, "", ""), 200)
	want(t, c.do("GET", "/api/v1/users/me", stranger, "", ""), 200)
}
