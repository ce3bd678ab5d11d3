package auth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
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

// fakeUsers is a hand-written CredentialChecker and SubjectChecker with
// one user, "42", whose credential epoch the test controls.
type fakeUsers struct {
	mu      sync.Mutex
	exists  map[string]bool
	epoch   int64
	failing bool
	// beforeVerify, when set, runs after the epoch is read and before the
	// password is checked: where a racing credential change lands.
	beforeVerify func()
}

func (f *fakeUsers) CheckCredentials(_ context.Context, login, password string) (auth.Credentials, error) {
	f.mu.Lock()
	epoch, hook := f.epoch, f.beforeVerify
	f.mu.Unlock()
	if hook != nil {
		hook()
	}
	if login == "johndoe" && password == "secretpassword" {
		return auth.Credentials{Subject: "42", Epoch: epoch}, nil
	}
	return auth.Credentials{}, auth.ErrInvalidCredentials
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

func (f *fakeUsers) setEpoch(e int64) {
	f.mu.Lock()
	f.epoch = e
	f.mu.Unlock()
}

// failingStore is a RevocationStore whose backend is down.
type failingStore struct{ auth.RevocationStore }

func (failingStore) IsRevoked(context.Context, string, string, int64) (bool, error) {
	return false, errors.New("dial tcp 127.0.0.1:6379: connection refused")
}

type authFixture struct {
	a        *auth.Authenticator
	tokens   *auth.Tokens
	users    *fakeUsers
	sessions auth.SessionStore
	store    auth.RevocationStore
	events   *eventLog
	logs     *bytes.Buffer
	server   *httptest.Server
}

// eventLog records Options.OnEvent.
type eventLog struct {
	mu     sync.Mutex
	events []auth.Event
}

func (l *eventLog) add(e auth.Event) {
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

func (l *eventLog) count(kind string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, e := range l.events {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

func newAuthFixture(t *testing.T, store auth.RevocationStore, opts auth.Options) *authFixture {
	t.Helper()
	return newAuthFixtureWith(t, auth.NewMemorySessions(auth.MemorySessionOptions{}), store, opts)
}

func newAuthFixtureWith(t *testing.T, sessions auth.SessionStore, store auth.RevocationStore, opts auth.Options) *authFixture {
	t.Helper()
	users := &fakeUsers{exists: map[string]bool{"42": true}}
	if opts.Subjects == nil {
		opts.Subjects = users
	}
	events := &eventLog{}
	opts.OnEvent = events.add
	logs := &bytes.Buffer{}
	opts.Logger = slog.New(slog.NewTextHandler(&lockedWriter{w: logs}, nil))
	tokens := newHSTokens(t, auth.TokenOptions{})
	a, err := auth.NewAuthenticator(tokens, sessions, store, opts)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /login", a.LoginHandler(users))
	mux.Handle("POST /refresh", a.RefreshHandler())
	mux.Handle("POST /logout", a.Middleware(a.LogoutHandler()))
	mux.Handle("GET /sessions", a.Middleware(a.ListSessionsHandler()))
	mux.Handle("DELETE /sessions/{id}", a.Middleware(a.EndSessionHandler()))
	mux.Handle("DELETE /sessions", a.Middleware(a.EndSessionsHandler()))
	mux.Handle("GET /me", a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := auth.FromContext(r.Context())
		httpx.WriteJSON(w, 200, map[string]string{"sub": id.Subject})
	})))
	srv := httptest.NewServer(httpx.JSONErrors(mux))
	t.Cleanup(srv.Close)
	return &authFixture{a: a, tokens: tokens, users: users, sessions: sessions, store: store,
		events: events, logs: logs, server: srv}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
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
	return send(t, req)
}

func send(t *testing.T, req *http.Request) (*http.Response, map[string]any) {
	t.Helper()
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

func (f *authFixture) refresh(t *testing.T, refresh string) (*http.Response, map[string]any) {
	t.Helper()
	return f.do(t, "POST", "/refresh", "", "application/json", `{"refresh_token":"`+refresh+`"}`)
}

// wantDead checks that an access token and a refresh token are both
// rejected.
func (f *authFixture) wantDead(t *testing.T, access, refresh string) {
	t.Helper()
	if access != "" {
		resp, body := f.do(t, "GET", "/me", access, "", "")
		expect401(t, resp, body, `Bearer error="invalid_token"`)
	}
	if refresh != "" {
		resp, body := f.refresh(t, refresh)
		expect401(t, resp, body, `Bearer error="invalid_token"`)
	}
}

func (f *authFixture) wantAlive(t *testing.T, access string) {
	t.Helper()
	if resp, body := f.do(t, "GET", "/me", access, "", ""); resp.StatusCode != 200 {
		t.Fatalf("GET /me = %d %v, want 200", resp.StatusCode, body)
	}
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

func TestLoginAndSchemes(t *testing.T) {
	f := newAuthFixture(t, auth.NewMemoryRevocations(auth.MemoryRevocationOptions{}), auth.Options{})
	resp, body := f.do(t, "POST", "/login", "", "application/x-www-form-urlencoded", "username=johndoe&password=wrong")
	expect401(t, resp, body, "Bearer")
	if body["detail"] != "Incorrect username or password" {
		t.Fatalf("detail = %v", body["detail"])
	}
	access, _ := f.login(t)
	for _, scheme := range []string{"Bearer", "bearer", "BEARER"} {
		req, _ := http.NewRequest("GET", f.server.URL+"/me", nil)
		req.Header.Set("Authorization", scheme+" "+access)
		if r, body := send(t, req); r.StatusCode != 200 {
			t.Fatalf("scheme %q: status %d %v, want 200", scheme, r.StatusCode, body)
		}
	}
}

// Logout ends the whole session whatever the body: its access and refresh
// tokens both die, and the user's other sessions live on.
func TestLogoutEndsTheSession(t *testing.T) {
	f := newAuthFixture(t, auth.NewMemoryRevocations(auth.MemoryRevocationOptions{}), auth.Options{})
	tests := []struct {
		name        string
		contentType string
		body        func(refresh string) io.Reader
		chunked     bool
	}{
		{"no body", "", func(string) io.Reader { return nil }, false},
		{"empty JSON body", "application/json", func(string) io.Reader { return strings.NewReader("") }, false},
		{"empty chunked body", "application/json", func(string) io.Reader { return strings.NewReader("") }, true},
		{"JSON body with the refresh token", "application/json", func(rt string) io.Reader {
			return strings.NewReader(`{"refresh_token":"` + rt + `"}`)
		}, false},
		{"chunked JSON body", "application/json", func(rt string) io.Reader {
			return strings.NewReader(`{"refresh_token":"` + rt + `"}`)
		}, true},
		{"form body", "application/x-www-form-urlencoded", func(rt string) io.Reader {
			return strings.NewReader("refresh_token=" + rt)
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			access, refresh := f.login(t)
			otherAccess, _ := f.login(t)
			req, _ := http.NewRequest("POST", f.server.URL+"/logout", tt.body(refresh))
			if tt.chunked {
				req.ContentLength = -1
				req.TransferEncoding = []string{"chunked"}
				req.Body = io.NopCloser(req.Body) // hide the length
			}
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			req.Header.Set("Authorization", "Bearer "+access)
			resp, body := send(t, req)
			if resp.StatusCode != 200 || body["message"] != "Successfully logged out" {
				t.Fatalf("logout: %d %v", resp.StatusCode, body)
			}
			if _, err := time.Parse(time.RFC3339, body["revoked_at"].(string)); err != nil {
				t.Fatalf("revoked_at: %v", err)
			}
			f.wantDead(t, access, refresh)
			f.wantAlive(t, otherAccess)
		})
	}
}

func TestMiddlewareRejections(t *testing.T) {
	f := newAuthFixture(t, auth.NewMemoryRevocations(auth.MemoryRevocationOptions{}), auth.Options{})
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
		{"oversized token", "Bearer " + access + strings.Repeat("A", 8<<10), `Bearer error="invalid_token"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", f.server.URL+"/me", nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			resp, body := send(t, req)
			expect401(t, resp, body, tt.wantAuthenticate)
		})
	}
}

// A credential change ends every session: all access and refresh tokens
// die, and the next login (reading the new epoch) works.
func TestChangeCredentialsEndsEverySession(t *testing.T) {
	f := newAuthFixture(t, auth.NewMemoryRevocations(auth.MemoryRevocationOptions{}), auth.Options{})
	a1, r1 := f.login(t)
	a2, r2 := f.login(t)
	applied := false
	c, err := f.a.ChangeCredentials(context.Background(), "42", func(context.Context) error {
		applied = true
		return nil
	})
	if err != nil || !applied || c.Epoch != 1 {
		t.Fatalf("ChangeCredentials = %+v, %v (applied %v); want epoch 1, applied", c, err, applied)
	}
	f.wantDead(t, a1, r1)
	f.wantDead(t, a2, r2)
	// The user store still hands out epoch 0 (it has not caught up): a
	// login with it is refused.
	resp, body := f.do(t, "POST", "/login", "", "application/x-www-form-urlencoded", "username=johndoe&password=secretpassword")
	expect401(t, resp, body, "Bearer")
	f.users.setEpoch(c.Epoch)
	fresh, _ := f.login(t)
	f.wantAlive(t, fresh)
	// A deleted user's tokens get 401.
	f.users.delete("42")
	resp, body = f.do(t, "GET", "/me", fresh, "", "")
	expect401(t, resp, body, `Bearer error="invalid_token"`)
}

// A login that read the credentials before a password change and finished
// after it must not produce a working session: deterministic interleaving
// through the CredentialChecker's hook.
func TestLoginRacingCredentialChange(t *testing.T) {
	f := newAuthFixture(t, auth.NewMemoryRevocations(auth.MemoryRevocationOptions{}), auth.Options{})
	var changed auth.Credentials
	f.users.beforeVerify = func() {
		f.users.beforeVerify = nil // this login only
		var err error
		if changed, err = f.a.ChangeCredentials(context.Background(), "42", nil); err != nil {
			t.Error(err)
		}
	}
	resp, body := f.do(t, "POST", "/login", "", "application/x-www-form-urlencoded", "username=johndoe&password=secretpassword")
	expect401(t, resp, body, "Bearer")
	if l, _ := f.sessions.ListSessions(context.Background(), "42"); len(l) != 0 {
		t.Fatalf("the racing login left %d sessions, want none", len(l))
	}
	// Even if a store let it through, a token of the stale epoch is dead.
	stale, _, err := f.tokens.Issue(auth.AccessToken, &auth.Session{ID: "s", Subject: "42", Epoch: changed.Epoch - 1})
	if err != nil {
		t.Fatal(err)
	}
	f.wantDead(t, stale, "")
}

// hookedSessions wraps a SessionStore to run code around RotateSession.
type hookedSessions struct {
	auth.SessionStore
	before, after func()
}

func (h *hookedSessions) RotateSession(ctx context.Context, subject, id string, gen uint64, epoch int64, ttl time.Duration) (*auth.Session, error) {
	if h.before != nil {
		h.before()
	}
	s, err := h.SessionStore.RotateSession(ctx, subject, id, gen, epoch, ttl)
	if h.after != nil {
		h.after()
	}
	return s, err
}

// A refresh racing a credential change loses, wherever the change lands:
// before the rotation (the session has ended) or after it (the new tokens
// carry the old epoch).
func TestRefreshRacingCredentialChange(t *testing.T) {
	for _, where := range []string{"before rotation", "after rotation"} {
		t.Run(where, func(t *testing.T) {
			hooked := &hookedSessions{SessionStore: auth.NewMemorySessions(auth.MemorySessionOptions{})}
			f := newAuthFixtureWith(t, hooked, auth.NewMemoryRevocations(auth.MemoryRevocationOptions{}), auth.Options{})
			_, refresh := f.login(t)
			change := func() {
				hooked.before, hooked.after = nil, nil
				if _, err := f.a.ChangeCredentials(context.Background(), "42", nil); err != nil {
					t.Error(err)
				}
			}
			if where == "before rotation" {
				hooked.before = change
			} else {
				hooked.after = change
			}
			resp, body := f.refresh(t, refresh)
			if where == "before rotation" {
				expect401(t, resp, body, `Bearer error="invalid_token"`)
				return
			}
			if resp.StatusCode != 200 {
				t.Fatalf("refresh whose rotation won the race: %d %v, want 200 (with dead tokens)", resp.StatusCode, body)
			}
			f.wantDead(t, body["access_token"].(string), body["refresh_token"].(string))
		})
	}
}

// Reusing a consumed refresh token ends its session: the tokens issued
// from it die too, and the event is logged and observed.
func TestRefreshReuseEndsTheSession(t *testing.T) {
	f := newAuthFixture(t, auth.NewMemoryRevocations(auth.MemoryRevocationOptions{}), auth.Options{})
	a1, r1 := f.login(t)
	other, _ := f.login(t)
	resp, body := f.refresh(t, r1)
	if resp.StatusCode != 200 {
		t.Fatalf("first refresh: %d %v", resp.StatusCode, body)
	}
	a2, r2 := body["access_token"].(string), body["refresh_token"].(string)
	f.wantAlive(t, a2)
	resp, body = f.refresh(t, r1) // the replay
	expect401(t, resp, body, `Bearer error="invalid_token"`)
	f.wantDead(t, a1, r1)
	f.wantDead(t, a2, r2)
	f.wantAlive(t, other)
	if n := f.events.count(auth.EventRefreshReuse); n != 1 {
		t.Fatalf("refresh_reuse events = %d, want 1", n)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "refresh token reused") || !strings.Contains(logs, "event=refresh_reuse") {
		t.Fatalf("no security event in the log:\n%s", logs)
	}
	for _, tok := range []string{a1, r1, a2, r2} {
		if strings.Contains(logs, tok) {
			t.Fatal("a token reached the log")
		}
	}
}

func TestConcurrentRefreshHasOneWinner(t *testing.T) {
	f := newAuthFixture(t, auth.NewMemoryRevocations(auth.MemoryRevocationOptions{}), auth.Options{})
	_, refresh := f.login(t)
	const n = 8
	codes := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			resp, _ := f.refresh(t, refresh)
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
	f := newAuthFixture(t, auth.NewMemoryRevocations(auth.MemoryRevocationOptions{}), auth.Options{})
	_, refresh := f.login(t)
	for range 3 {
		resp, body := f.refresh(t, refresh)
		if resp.StatusCode != 200 || body["access_token"] == nil || body["refresh_token"] == nil || body["refresh_token"] == refresh {
			t.Fatalf("refresh: %d %v, want new access and refresh tokens", resp.StatusCode, body)
		}
		f.wantAlive(t, body["access_token"].(string))
		refresh = body["refresh_token"].(string)
	}
	resp, body := f.do(t, "POST", "/refresh", "", "application/json", `{}`)
	if resp.StatusCode != 422 {
		t.Fatalf("refresh without token: %d %v, want 422", resp.StatusCode, body)
	}
}

func TestRevocationBackendDown(t *testing.T) {
	store := failingStore{auth.NewMemoryRevocations(auth.MemoryRevocationOptions{})}
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

// hungStore is a RevocationStore whose backend hangs: every call waits
// for its context.
type hungStore struct{ auth.RevocationStore }

func (hungStore) IsRevoked(ctx context.Context, _, _ string, _ int64) (bool, error) {
	<-ctx.Done()
	return false, ctx.Err()
}

// hungWrites is a RevocationStore whose writes hang (reads still work).
type hungWrites struct{ auth.RevocationStore }

func (hungWrites) RevokeSession(ctx context.Context, _, _ string, _ time.Duration) error {
	<-ctx.Done()
	return ctx.Err()
}

func (hungWrites) RaiseEpoch(ctx context.Context, _ string, _ int64, _ time.Duration) error {
	<-ctx.Done()
	return ctx.Err()
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
		{"revocation store", hungStore{auth.NewMemoryRevocations(auth.MemoryRevocationOptions{})}, auth.Options{CheckTimeout: timeout}},
		{"subject check", auth.NewMemoryRevocations(auth.MemoryRevocationOptions{}), auth.Options{CheckTimeout: timeout, Subjects: hungSubjects{}}},
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

// Writes to a hung revocation store answer 503 within WriteTimeout, and a
// credential change whose revocation write failed does not apply the new
// credentials.
func TestHungWritesEndAtWriteTimeout(t *testing.T) {
	const timeout = 80 * time.Millisecond
	f := newAuthFixture(t, hungWrites{auth.NewMemoryRevocations(auth.MemoryRevocationOptions{})}, auth.Options{WriteTimeout: timeout})
	access, _ := f.login(t)
	began := time.Now()
	resp, body := f.do(t, "POST", "/logout", access, "", "")
	if elapsed := time.Since(began); resp.StatusCode != 503 || elapsed > timeout+time.Second {
		t.Fatalf("logout with hung writes: %d %v after %v, want 503 within about %v", resp.StatusCode, body, elapsed, timeout)
	}
	applied := false
	began = time.Now()
	_, err := f.a.ChangeCredentials(context.Background(), "42", func(context.Context) error { applied = true; return nil })
	if !errors.Is(err, auth.ErrUnavailable) || applied || time.Since(began) > timeout+time.Second {
		t.Fatalf("ChangeCredentials with hung writes = %v after %v (applied %v); want ErrUnavailable in time, nothing applied",
			err, time.Since(began), applied)
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
	a, err := auth.NewAuthenticator(newHSTokens(t, auth.TokenOptions{}), auth.NewMemorySessions(auth.MemorySessionOptions{}),
		auth.NewMemoryRevocations(auth.MemoryRevocationOptions{}), auth.Options{Subjects: loader})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := auth.FromContext(r.Context())
		httpx.WriteJSON(w, 200, map[string]any{"record": id.Record})
	})))
	t.Cleanup(srv.Close)
	pair, err := a.StartSession(context.Background(), auth.Credentials{Subject: "42"}, auth.ClientInfo{})
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

func TestNewAuthenticatorRequiresItsStores(t *testing.T) {
	tokens := newHSTokens(t, auth.TokenOptions{})
	sessions := auth.NewMemorySessions(auth.MemorySessionOptions{})
	revocations := auth.NewMemoryRevocations(auth.MemoryRevocationOptions{})
	for name, build := range map[string]func() (*auth.Authenticator, error){
		"no tokens": func() (*auth.Authenticator, error) {
			return auth.NewAuthenticator(nil, sessions, revocations, auth.Options{})
		},
		"no sessions": func() (*auth.Authenticator, error) {
			return auth.NewAuthenticator(tokens, nil, revocations, auth.Options{})
		},
		"no revocations": func() (*auth.Authenticator, error) {
			return auth.NewAuthenticator(tokens, sessions, nil, auth.Options{})
		},
	} {
		if a, err := build(); err == nil || a != nil {
			t.Errorf("%s: NewAuthenticator = %v, %v; want an error", name, a, err)
		}
	}
}
