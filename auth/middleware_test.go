package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/auth"
	"github.com/groundwork-go/groundwork/httpx"
)

// fakeUsers is a hand-written CredentialChecker and SubjectChecker.
type fakeUsers struct {
	mu      sync.Mutex
	exists  map[string]bool
	failing bool
}

func (f *fakeUsers) CheckCredentials(_ context.Context, login, password string) (string, error) {
	if login == "johndoe" && password == "secretpassword" {
		return "42", nil
	}
	return "", auth.ErrInvalidCredentials
}

func (f *fakeUsers) Exists(_ context.Context, subject string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failing {
		return false, errors.New("db down")
	}
	return f.exists[subject], nil
}

func (f *fakeUsers) delete(subject string) {
	f.mu.Lock()
	delete(f.exists, subject)
	f.mu.Unlock()
}

// failingStore is a RevocationStore whose backend is down.
type failingStore struct{ auth.RevocationStore }

func (failingStore) IsRevoked(context.Context, string, string, time.Time) (bool, error) {
	return false, errors.New("dial tcp 127.0.0.1:6379: connection refused")
}

type authFixture struct {
	a      *auth.Authenticator
	users  *fakeUsers
	store  auth.RevocationStore
	server *httptest.Server
}

func newAuthFixture(t *testing.T, store auth.RevocationStore, opts auth.Options) *authFixture {
	t.Helper()
	users := &fakeUsers{exists: map[string]bool{"42": true}}
	if opts.Subjects == nil {
		opts.Subjects = users
	}
	a := auth.NewAuthenticator(newHSTokens(t, auth.TokenOptions{}), store, opts)
	mux := http.NewServeMux()
	mux.Handle("POST /login", a.LoginHandler(users))
	mux.Handle("POST /refresh", a.RefreshHandler())
	mux.Handle("POST /logout", a.Middleware(a.LogoutHandler()))
	mux.Handle("GET /me", a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := auth.FromContext(r.Context())
		httpx.WriteJSON(w, 200, map[string]string{"sub": id.Subject})
	})))
	srv := httptest.NewServer(httpx.JSONErrors(mux))
	t.Cleanup(srv.Close)
	return &authFixture{a: a, users: users, store: store, server: srv}
}

func (f *authFixture) do(t *testing.T, method, path, token, contentType, body string) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, f.server.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp, m
}

func (f *authFixture) login(t *testing.T) (access, refresh string) {
	t.Helper()
	resp, body := f.do(t, "POST", "/login", "", "application/x-www-form-urlencoded",
		url.Values{"username": {"johndoe"}, "password": {"secretpassword"}}.Encode())
	if resp.StatusCode != 200 || body["token_type"] != "bearer" {
		t.Fatalf("login: %d %v", resp.StatusCode, body)
	}
	return body["access_token"].(string), body["refresh_token"].(string)
}

func expect401(t *testing.T, resp *http.Response, body map[string]any, wantAuthenticate string) {
	t.Helper()
	if resp.StatusCode != 401 {
		t.Fatalf("status = %d (%v), want 401", resp.StatusCode, body)
	}
	if got := resp.Header.Get("WWW-Authenticate"); got != wantAuthenticate {
		t.Fatalf("WWW-Authenticate = %q, want %q", got, wantAuthenticate)
	}
	if body["error_code"] != "UNAUTHORIZED" {
		t.Fatalf("body = %v, want UNAUTHORIZED envelope", body)
	}
}

func TestLoginMeLogout(t *testing.T) {
	f := newAuthFixture(t, auth.NewMemoryRevocations(nil), auth.Options{})
	resp, body := f.do(t, "POST", "/login", "", "application/x-www-form-urlencoded", "username=johndoe&password=wrong")
	expect401(t, resp, body, "Bearer")
	if body["detail"] != "Incorrect username or password" {
		t.Fatalf("detail = %v", body["detail"])
	}
	access, refresh := f.login(t)
	for _, scheme := range []string{"Bearer", "bearer", "BEARER"} {
		req, _ := http.NewRequest("GET", f.server.URL+"/me", nil)
		req.Header.Set("Authorization", scheme+" "+access)
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != 200 {
			t.Fatalf("scheme %q: status %d, want 200", scheme, r.StatusCode)
		}
	}
	resp, body = f.do(t, "POST", "/logout", access, "application/json", `{"refresh_token":"`+refresh+`"}`)
	if resp.StatusCode != 200 || body["message"] != "Successfully logged out" {
		t.Fatalf("logout: %d %v", resp.StatusCode, body)
	}
	if _, err := time.Parse(time.RFC3339, body["revoked_at"].(string)); err != nil {
		t.Fatalf("revoked_at: %v", err)
	}
	resp, body = f.do(t, "GET", "/me", access, "", "")
	expect401(t, resp, body, `Bearer error="invalid_token"`)
	resp, body = f.do(t, "POST", "/refresh", "", "application/json", `{"refresh_token":"`+refresh+`"}`)
	expect401(t, resp, body, `Bearer error="invalid_token"`)
}

func TestMiddlewareRejections(t *testing.T) {
	f := newAuthFixture(t, auth.NewMemoryRevocations(nil), auth.Options{})
	access, refresh := f.login(t)
	tests := []struct {
		name             string
		header           string
		wantAuthenticate string
	}{
		{"no header", "", "Bearer"},
		{"basic scheme", "Basic dXNlcjpwYXNz", "Bearer"},
		{"bearer without token", "Bearer ", "Bearer"},
		{"refresh token as access", "Bearer " + refresh, `Bearer error="invalid_token"`},
		{"garbage token", "Bearer abc.def.ghi", `Bearer error="invalid_token"`},
		{"tampered token", "Bearer " + access[:len(access)-2] + "xx", `Bearer error="invalid_token"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", f.server.URL+"/me", nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]any
			json.NewDecoder(resp.Body).Decode(&body)
			expect401(t, resp, body, tt.wantAuthenticate)
		})
	}
}

func TestDeletedUserAndCutoff(t *testing.T) {
	f := newAuthFixture(t, auth.NewMemoryRevocations(nil), auth.Options{})
	access, _ := f.login(t)
	// Tokens issued before a password change are rejected; new ones work.
	if err := f.a.RevokeUser(context.Background(), "42", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, body := f.do(t, "GET", "/me", access, "", "")
	expect401(t, resp, body, `Bearer error="invalid_token"`)
	fresh, _ := f.login(t)
	if resp, body := f.do(t, "GET", "/me", fresh, "", ""); resp.StatusCode != 200 {
		t.Fatalf("token issued after the cut-off: %d %v", resp.StatusCode, body)
	}
	// A deleted user's tokens get 401.
	f.users.delete("42")
	resp, body = f.do(t, "GET", "/me", fresh, "", "")
	expect401(t, resp, body, `Bearer error="invalid_token"`)
}

func TestRevocationBackendDown(t *testing.T) {
	store := failingStore{auth.NewMemoryRevocations(nil)}
	closed := newAuthFixture(t, store, auth.Options{})
	access, _ := closed.login(t)
	resp, body := closed.do(t, "GET", "/me", access, "", "")
	if resp.StatusCode != 503 || body["error_code"] != "SERVICE_UNAVAILABLE" {
		t.Fatalf("fail-closed: %d %v, want 503 SERVICE_UNAVAILABLE", resp.StatusCode, body)
	}
	if strings.Contains(body["detail"].(string), "6379") {
		t.Fatalf("backend error leaked: %v", body["detail"])
	}
	open := newAuthFixture(t, store, auth.Options{FailOpen: true})
	access, _ = open.login(t)
	if resp, body := open.do(t, "GET", "/me", access, "", ""); resp.StatusCode != 200 {
		t.Fatalf("fail-open: %d %v, want 200", resp.StatusCode, body)
	}
}

// hungStore is a RevocationStore whose backend hangs: IsRevoked waits for
// its context.
type hungStore struct{ auth.RevocationStore }

func (hungStore) IsRevoked(ctx context.Context, _, _ string, _ time.Time) (bool, error) {
	<-ctx.Done()
	return false, ctx.Err()
}

// hungSubjects is a SubjectChecker whose database hangs.
type hungSubjects struct{}

func (hungSubjects) Exists(ctx context.Context, _ string) (bool, error) {
	<-ctx.Done()
	return false, ctx.Err()
}

// A revocation or subject check that hangs ends at CheckTimeout with 503,
// not when the client gives up.
func TestHungChecksEndAtCheckTimeout(t *testing.T) {
	const timeout = 50 * time.Millisecond
	tests := []struct {
		name  string
		store auth.RevocationStore
		opts  auth.Options
	}{
		{"revocation store", hungStore{auth.NewMemoryRevocations(nil)}, auth.Options{CheckTimeout: timeout}},
		{"subject check", auth.NewMemoryRevocations(nil), auth.Options{CheckTimeout: timeout, Subjects: hungSubjects{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newAuthFixture(t, tc.store, tc.opts)
			access, _ := f.login(t)
			began := time.Now()
			resp, body := f.do(t, "GET", "/me", access, "", "")
			elapsed := time.Since(began)
			if resp.StatusCode != 503 || body["error_code"] != "SERVICE_UNAVAILABLE" {
				t.Fatalf("got %d %v, want 503 SERVICE_UNAVAILABLE", resp.StatusCode, body)
			}
			if elapsed < timeout || elapsed > timeout+500*time.Millisecond {
				t.Fatalf("answered after %v, want about the %v CheckTimeout", elapsed, timeout)
			}
		})
	}
}

// loadingUsers is a SubjectLoader over fakeUsers whose record is a
// profile string.
type loadingUsers struct {
	*fakeUsers
	loads atomic.Int64
}

func (l *loadingUsers) LoadSubject(ctx context.Context, subject string) (any, bool, error) {
	l.loads.Add(1)
	exists, err := l.Exists(ctx, subject)
	if !exists || err != nil {
		return nil, exists, err
	}
	return "profile of " + subject, true, nil
}

// With a SubjectLoader, the record loaded by the check reaches the handler
// in the Identity, and Exists is not called; a missing subject is 401 and
// a failing one 503, as with Exists.
func TestSubjectLoaderRecordReachesHandler(t *testing.T) {
	loader := &loadingUsers{fakeUsers: &fakeUsers{exists: map[string]bool{"42": true}}}
	a := auth.NewAuthenticator(newHSTokens(t, auth.TokenOptions{}), auth.NewMemoryRevocations(nil), auth.Options{Subjects: loader})
	srv := httptest.NewServer(a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := auth.FromContext(r.Context())
		httpx.WriteJSON(w, 200, map[string]any{"record": id.Record})
	})))
	t.Cleanup(srv.Close)
	pair, err := a.IssuePair("42")
	if err != nil {
		t.Fatal(err)
	}
	f := &authFixture{a: a, users: loader.fakeUsers, server: srv}
	resp, body := f.do(t, "GET", "/", pair.AccessToken, "", "")
	if resp.StatusCode != 200 || body["record"] != "profile of 42" {
		t.Fatalf("got %d %v, want 200 with the loaded record", resp.StatusCode, body)
	}
	if n := loader.loads.Load(); n != 1 {
		t.Fatalf("LoadSubject calls: %d, want 1", n)
	}
	loader.mu.Lock()
	loader.failing = true
	loader.mu.Unlock()
	if resp, body := f.do(t, "GET", "/", pair.AccessToken, "", ""); resp.StatusCode != 503 {
		t.Fatalf("failing loader: %d %v, want 503", resp.StatusCode, body)
	}
	loader.mu.Lock()
	loader.failing = false
	loader.mu.Unlock()
	loader.delete("42")
	resp, body = f.do(t, "GET", "/", pair.AccessToken, "", "")
	expect401(t, resp, body, `Bearer error="invalid_token"`)
}

func TestConcurrentRefreshHasOneWinner(t *testing.T) {
	f := newAuthFixture(t, auth.NewMemoryRevocations(nil), auth.Options{})
	_, refresh := f.login(t)
	const n = 8
	codes := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			resp, _ := f.do(t, "POST", "/refresh", "", "application/json", `{"refresh_token":"`+refresh+`"}`)
			codes <- resp.StatusCode
		})
	}
	wg.Wait()
	close(codes)
	ok := 0
	for c := range codes {
		switch c {
		case 200:
			ok++
		case 401:
		default:
			t.Fatalf("refresh status %d, want 200 or 401", c)
		}
	}
	if ok != 1 {
		t.Fatalf("%d concurrent refreshes succeeded, want exactly 1", ok)
	}
}

func TestRefreshRotates(t *testing.T) {
	f := newAuthFixture(t, auth.NewMemoryRevocations(nil), auth.Options{})
	_, refresh := f.login(t)
	resp, body := f.do(t, "POST", "/refresh", "", "application/json", `{"refresh_token":"`+refresh+`"}`)
	if resp.StatusCode != 200 || body["access_token"] == nil || body["refresh_token"] == nil || body["refresh_token"] == refresh {
		t.Fatalf("refresh: %d %v, want new access and refresh tokens", resp.StatusCode, body)
	}
	if resp, _ := f.do(t, "GET", "/me", body["access_token"].(string), "", ""); resp.StatusCode != 200 {
		t.Fatalf("refreshed access token: %d", resp.StatusCode)
	}
	resp, body = f.do(t, "POST", "/refresh", "", "application/json", `{}`)
	if resp.StatusCode != 422 {
		t.Fatalf("refresh without token: %d %v, want 422", resp.StatusCode, body)
	}
}
