package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/internal/testenv"
	"github.com/groundwork-go/groundwork/ratelimit"
)

// requestBound is the longest any request may take while a backend is
// down: nothing may hang.
const requestBound = 5 * time.Second

// timedCall sends one request with a client timeout and returns the answer
// and how long it took.
func timedCall(t *testing.T, method, target, token, contentType, body string) (apiResponse, time.Duration) {
	t.Helper()
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	start := time.Now()
	resp, err := (&http.Client{Timeout: 2 * requestBound}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	elapsed := time.Since(start)
	var m map[string]any
	json.Unmarshal(raw, &m)
	if elapsed > requestBound {
		t.Fatalf("%s %s took %v, want at most %v", method, target, elapsed, requestBound)
	}
	return apiResponse{status: resp.StatusCode, header: resp.Header, body: m, raw: string(raw)}, elapsed
}

// wantEnvelope fails unless r is status with the error envelope.
func wantEnvelope(t *testing.T, r apiResponse, status int) {
	t.Helper()
	want(t, r, status)
	for _, k := range []string{"detail", "error_code", "timestamp"} {
		if _, ok := r.body[k].(string); !ok {
			t.Fatalf("%d body %s: missing %q, want the error envelope", status, r.raw, k)
		}
	}
}

// wantUnhealthy fails unless /health answers 503 naming the failed
// dependency, within requestBound.
func wantUnhealthy(t *testing.T, base, failure string) {
	t.Helper()
	r, d := timedCall(t, "GET", base+"/health", "", "", "")
	if r.status != 503 || r.body["error"] != failure {
		t.Fatalf("/health: got %d %s, want 503 %s", r.status, r.raw, failure)
	}
	t.Logf("/health with %q: 503 in %v", failure, d)
}

// eventually polls cond every 50 ms until it holds or limit passes.
func eventually(t *testing.T, limit time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > limit {
			t.Fatalf("%s: not within %v", what, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return time.Since(start)
}

func loginForm(user, password string) string {
	return url.Values{"username": {user}, "password": {password}}.Encode()
}

// serverBehindRedisProxy starts the server on the real Redis of REDIS_URL
// through a tcpProxy the test controls, skipping the test without it.
// extra adds to the server's environment.
func serverBehindRedisProxy(t *testing.T, extra ...map[string]string) (*testServer, *tcpProxy) {
	t.Helper()
	base := os.Getenv("REDIS_URL")
	if base == "" {
		t.Skip("REDIS_URL is not set; .ci/run sets it (this test puts a stoppable proxy in front of the real Redis)")
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newTCPProxy(t, u.Host)
	env := map[string]string{"REDIS_URL": "redis://" + proxy.addr, "REDIS_KEY_PREFIX": testenv.Redis(t).Prefix}
	for _, e := range extra {
		for k, v := range e {
			env[k] = v
		}
	}
	return startServer(t, env), proxy
}

func TestRedisOutageFailsOpenAndClosedThenRecovers(t *testing.T) {
	s, proxy := serverBehindRedisProxy(t)
	access, refresh := apiClient{t, s.URL}.signup("redisdown")
	me := func() (apiResponse, time.Duration) {
		return timedCall(t, "GET", s.URL+"/api/v1/users/me", access, "", "")
	}
	proxy.stop()
	wantUnhealthy(t, s.URL, "Redis connection failed")
	// The rate limiter fails open within its timeout: a refresh with a
	// malformed token needs nothing but the limiter, so it answers 401
	// (not 429, not 503) at once.
	r, d := timedCall(t, "POST", s.URL+"/api/v1/auth/refresh", "", "application/json", `{"refresh_token":"not-a-token"}`)
	want(t, r, 401)
	if bound := ratelimit.DefaultTimeout + 500*time.Millisecond; d > bound {
		t.Fatalf("rate-limited request with Redis down took %v, want at most %v", d, bound)
	}
	t.Logf("rate-limited request with Redis down: %d in %v", r.status, d)
	// Login is limited too, and needs only PostgreSQL otherwise.
	r, d = timedCall(t, "POST", s.URL+"/api/v1/auth/login", "", formType, loginForm("redisdown", "testpass123"))
	want(t, r, 200)
	t.Logf("login with Redis down: %d in %v", r.status, d)
	// Revocation fails closed: authenticated requests get the 503 envelope.
	r, d = me()
	wantEnvelope(t, r, 503)
	t.Logf("/me with Redis down: %d %s in %v", r.status, r.body["detail"], d)
	r, _ = timedCall(t, "POST", s.URL+"/api/v1/auth/refresh", "", "application/json", `{"refresh_token":"`+refresh+`"}`)
	wantEnvelope(t, r, 503)

	proxy.start()
	took := eventually(t, 15*time.Second, "recovery after Redis restart", func() bool {
		h, _ := timedCall(t, "GET", s.URL+"/health", "", "", "")
		m, _ := me()
		return h.status == 200 && m.status == 200
	})
	t.Logf("recovered %v after Redis came back", took)
	want(t, apiClient{t, s.URL}.do("POST", "/api/v1/auth/logout", access, "", ""), 200)
	if r, _ := me(); r.status != 401 {
		t.Fatalf("after logout: /me %d, want 401", r.status)
	}
}

// TestRedisHangBoundedByTimeouts: a Redis that accepts but never answers
// costs each request no more than the component's timeout (the limiter's
// 50 ms, the authenticator's 500 ms check, /health's 2 s), and a restart
// recovers.
func TestRedisHangBoundedByTimeouts(t *testing.T) {
	s, proxy := serverBehindRedisProxy(t)
	access, _ := apiClient{t, s.URL}.signup("redishang")
	want(t, apiClient{t, s.URL}.do("GET", "/api/v1/users/me", access, "", ""), 200)

	proxy.hang()
	r, d := timedCall(t, "POST", s.URL+"/api/v1/auth/refresh", "", "application/json", `{"refresh_token":"not-a-token"}`)
	want(t, r, 401)
	if bound := ratelimit.DefaultTimeout + 500*time.Millisecond; d > bound {
		t.Fatalf("rate-limited request with Redis hung took %v, want at most %v", d, bound)
	}
	t.Logf("rate-limited request with Redis hung: %d in %v", r.status, d)
	r, d = timedCall(t, "GET", s.URL+"/api/v1/users/me", access, "", "")
	if r.status != 200 && r.status != 503 {
		t.Fatalf("/me with Redis hung: got %d %s, want 503 (or 200 from the client-side cache)", r.status, r.raw)
	}
	if d > 1500*time.Millisecond {
		t.Fatalf("/me with Redis hung took %v, want at most the 500 ms check timeout plus slack", d)
	}
	t.Logf("/me with Redis hung: %d in %v", r.status, d)
	r, d = timedCall(t, "GET", s.URL+"/health", "", "", "")
	if r.status != 503 || d > healthTimeout+time.Second {
		t.Fatalf("/health with Redis hung: %d in %v, want 503 within %v", r.status, d, healthTimeout+time.Second)
	}

	proxy.stop()
	proxy.start()
	took := eventually(t, 15*time.Second, "recovery after the hung Redis restarted", func() bool {
		h, _ := timedCall(t, "GET", s.URL+"/health", "", "", "")
		m, _ := timedCall(t, "GET", s.URL+"/api/v1/users/me", access, "", "")
		return h.status == 200 && m.status == 200
	})
	t.Logf("recovered %v after the restart", took)
}

func TestPostgresOutageAnswers503ThenRecovers(t *testing.T) {
	if !testenv.UsingPostgres() {
		t.Skip("DATABASE_URL is not a PostgreSQL URL; .ci/run sets it (this test puts a stoppable proxy in front of the real PostgreSQL)")
	}
	u, err := url.Parse(testenv.DatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := newTCPProxy(t, u.Host)
	u.Host = proxy.addr
	s := startServer(t, map[string]string{"DATABASE_URL": u.String()})
	access, refresh := apiClient{t, s.URL}.signup("pgdown")
	want(t, apiClient{t, s.URL}.do("GET", "/api/v1/users/me", access, "", ""), 200) // caches the profile
	proxy.stop()
	wantUnhealthy(t, s.URL, "Database connection failed")
	for _, c := range []struct{ name, path, body string }{
		{"signup", "/api/v1/auth/signup", signupValues("pgdown2").Encode()},
		{"login", "/api/v1/auth/login", loginForm("pgdown", "testpass123")},
	} {
		r, d := timedCall(t, "POST", s.URL+c.path, "", formType, c.body)
		// An outage is the service's condition, not the request's: 503.
		wantEnvelope(t, r, 503)
		t.Logf("%s with PostgreSQL down: %d %q in %v", c.name, r.status, r.body["detail"], d)
	}
	// The cached profile still serves a warm /users/me.
	r, _ := timedCall(t, "GET", s.URL+"/api/v1/users/me", access, "", "")
	want(t, r, 200)
	// Refresh and logout need the session store: 503, and nothing is lost.
	r, _ = timedCall(t, "POST", s.URL+"/api/v1/auth/refresh", "", "application/json", `{"refresh_token":"`+refresh+`"}`)
	wantEnvelope(t, r, 503)
	r, _ = timedCall(t, "POST", s.URL+"/api/v1/auth/logout", access, "", "")
	wantEnvelope(t, r, 503)

	proxy.start()
	took := eventually(t, 15*time.Second, "recovery after PostgreSQL restart", func() bool {
		h, _ := timedCall(t, "GET", s.URL+"/health", "", "", "")
		return h.status == 200
	})
	t.Logf("healthy %v after PostgreSQL came back", took)
	r, _ = timedCall(t, "POST", s.URL+"/api/v1/auth/login", "", formType, loginForm("pgdown", "testpass123"))
	want(t, r, 200)
	r, _ = timedCall(t, "POST", s.URL+"/api/v1/auth/signup", "", formType, signupValues("pgdown3").Encode())
	want(t, r, 201)
	// The refresh token the outage refused was not consumed.
	r, _ = timedCall(t, "POST", s.URL+"/api/v1/auth/refresh", "", "application/json", `{"refresh_token":"`+refresh+`"}`)
	want(t, r, 200)
}

// sharedEnv is the environment of several instances of one deployment:
// the same Redis keys, database and signing key.
func sharedEnv(t *testing.T, redis *testenv.RedisServer, extra map[string]string) map[string]string {
	env := map[string]string{"REDIS_URL": redis.URL, "REDIS_KEY_PREFIX": redis.Prefix,
		"DATABASE_URL": testenv.DatabaseURL(t), "SECRET_KEY": randomSecret()}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

func TestTwoInstancesShareRevocationsAndRateLimits(t *testing.T) {
	env := sharedEnv(t, testenv.Redis(t), map[string]string{"RATE_LIMIT_STRICT": "4"})
	a, b := apiClient{t, startServer(t, env).URL}, apiClient{t, startServer(t, env).URL}
	access, _ := a.signup("twoinstances") // strict request 1 of 4
	want(t, b.do("GET", "/api/v1/users/me", access, "", ""), 200)
	want(t, a.do("POST", "/api/v1/auth/logout", access, "", ""), 200)
	delay := eventually(t, 2*time.Second, "token revoked on A rejected on B", func() bool {
		return b.do("GET", "/api/v1/users/me", access, "", "").status == 401
	})
	t.Logf("revocation on A seen by B after %v", delay)

	for i, c := range []apiClient{b, a, b} { // strict requests 2-4
		if r := c.form("/api/v1/auth/login", url.Values{"username": {"twoinstances"}, "password": {"wrong-password"}}); r.status != 401 {
			t.Fatalf("login %d: got %d, want 401", i+2, r.status)
		}
	}
	for name, c := range map[string]apiClient{"A": a, "B": b} {
		if r := c.form("/api/v1/auth/login", url.Values{"username": {"twoinstances"}, "password": {"testpass123"}}); r.status != 429 {
			t.Fatalf("login on %s past the shared budget: got %d, want 429", name, r.status)
		}
	}
}

func TestRedisClusterEndToEnd(t *testing.T) {
	cluster := testenv.RedisCluster(t)
	c := apiClient{t, startServer(t, map[string]string{"REDIS_URL": cluster.URL, "REDIS_KEY_PREFIX": cluster.Prefix}).URL}
	c.signup("clusteruser")
	r := c.form("/api/v1/auth/login", url.Values{"username": {"clusteruser"}, "password": {"testpass123"}})
	want(t, r, 200)
	access, refresh := r.body["access_token"].(string), r.body["refresh_token"].(string)
	want(t, c.do("GET", "/api/v1/users/me", access, "", ""), 200)
	r = c.do("POST", "/api/v1/auth/refresh", "", "application/json", `{"refresh_token":"`+refresh+`"}`)
	want(t, r, 200)
	want(t, c.do("POST", "/api/v1/auth/logout", access, "", ""), 200)
	want(t, c.do("GET", "/api/v1/users/me", access, "", ""), 401)
	want(t, c.do("GET", "/health", "", "", ""), 200)
}

// TestSIGTERMUnderLoad builds the server binary, loads it, sends SIGTERM
// while logins are in flight and checks that they complete, that no request
// got a 5xx, that only new connections fail (refused) and that the process
// exits 0.
func TestSIGTERMUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the server binary")
	}
	bin := filepath.Join(t.TempDir(), "server")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "PORT=0", "LOG_LEVEL=info",
		"DATABASE_URL=" + testenv.DatabaseURL(t), "SHUTDOWN_TIMEOUT=20s", "RATE_LIMIT_STRICT=100000", "RATE_LIMIT_USER=100000",
		"RATE_LIMIT_DEFAULT=100000", "RATE_LIMIT_LENIENT=100000"}
	if testenv.UsingRealRedis() {
		r := testenv.Redis(t)
		env = append(env, "REDIS_URL="+r.URL, "REDIS_KEY_PREFIX="+r.Prefix)
	}
	cmd := exec.Command(bin)
	cmd.Env = env
	logs := &logWatcher{lines: make(chan string, 100)}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var exitErr error
	exited := make(chan struct{})
	go func() { exitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill() // no-op once it has exited
		<-exited
	})
	base := "http://" + logs.addr(t)
	access, _ := apiClient{t, base}.signup("sigterm")

	var served, fivexx, refused atomic.Int64
	var otherErrs sync.Map
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{}}
			for {
				select {
				case <-stop:
					return
				default:
				}
				path := "/api/v1/users/me"
				if i%2 == 1 {
					path = "/health"
				}
				req, _ := http.NewRequest("GET", base+path, nil)
				req.Header.Set("Authorization", "Bearer "+access)
				resp, err := client.Do(req)
				if err != nil {
					if errors.Is(err, syscall.ECONNREFUSED) {
						refused.Add(1)
						return // the listener is closed: shutdown has begun
					}
					otherErrs.Store(err.Error(), true)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				served.Add(1)
				if resp.StatusCode >= 500 {
					fivexx.Add(1)
				}
			}
		})
	}
	eventually(t, 10*time.Second, "load under way", func() bool { return served.Load() >= 200 })

	// Logins are in flight when SIGTERM lands: each sends its headers with
	// Expect: 100-continue, and the server's 100 Continue shows that the
	// handler is reading the body. The body follows the signal.
	const logins = 4
	body := loginForm("sigterm", "testpass123")
	inHandler := make(chan struct{}, logins)
	signalled := make(chan struct{})
	results := make(chan string, logins)
	for range logins {
		go func() { results <- loginAcrossSignal(base, body, inHandler, signalled) }()
	}
	for range logins {
		<-inHandler
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	close(signalled)
	for range logins {
		if got := <-results; got != "200 OK" {
			t.Errorf("in-flight login at SIGTERM: got %s, want 200 OK", got)
		}
	}
	select {
	case <-exited:
		if exitErr != nil {
			t.Fatalf("server exit: %v, want exit code 0", exitErr)
		}
	case <-time.After(25 * time.Second):
		t.Fatal("server did not exit within 25 s of SIGTERM")
	}
	close(stop)
	wg.Wait()
	otherErrs.Range(func(k, _ any) bool { t.Errorf("request error other than a refused connection: %v", k); return true })
	t.Logf("served %d requests, %d 5xx, %d workers saw the listener closed", served.Load(), fivexx.Load(), refused.Load())
	if refused.Load() != 16 {
		t.Errorf("%d of 16 load workers saw a refused connection, want all (new connections refused after SIGTERM)", refused.Load())
	}
	if fivexx.Load() != 0 {
		t.Fatalf("%d responses were 5xx, want none", fivexx.Load())
	}
}

// loginAcrossSignal posts body to the login endpoint on its own connection
// with Expect: 100-continue, reports on inHandler once the server asks for
// the body, sends the body once signalled is closed and returns the final
// status (or the error).
func loginAcrossSignal(base, body string, inHandler chan<- struct{}, signalled <-chan struct{}) string {
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		inHandler <- struct{}{}
		return err.Error()
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(c, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", formType, len(body))
	br := bufio.NewReader(c)
	interim, err := http.ReadResponse(br, nil)
	inHandler <- struct{}{}
	if err != nil {
		return err.Error()
	}
	if interim.StatusCode != http.StatusContinue {
		return "before the body: " + interim.Status
	}
	<-signalled
	if _, err := io.WriteString(c, body); err != nil {
		return err.Error()
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return err.Error()
	}
	resp.Body.Close()
	return resp.Status
}
