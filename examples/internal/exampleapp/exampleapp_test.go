package exampleapp_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel"

	"github.com/groundwork-go/groundwork/auth"
	"github.com/groundwork-go/groundwork/examples/internal/exampleapp"
	"github.com/groundwork-go/groundwork/examples/internal/exampletest"
	"github.com/groundwork-go/groundwork/internal/testenv"
)

func TestEnv(t *testing.T) {
	vars := map[string]string{"N": "42", "BAD_N": "4x", "D": "15m", "BAD_D": "-1s", "MODE": "b", "BAD_MODE": "z", "S": "  v  "}
	tests := []struct {
		name    string
		read    func(e *exampleapp.Env) any
		want    any
		wantErr string
	}{
		{"int", func(e *exampleapp.Env) any { return e.Int("N", 1, 0, 100) }, 42, ""},
		{"int default", func(e *exampleapp.Env) any { return e.Int("UNSET", 7, 0, 100) }, 7, ""},
		{"int malformed", func(e *exampleapp.Env) any { return e.Int("BAD_N", 7, 0, 100) }, 7, "BAD_N"},
		{"int out of range", func(e *exampleapp.Env) any { return e.Int("N", 7, 0, 10) }, 7, "N"},
		{"duration", func(e *exampleapp.Env) any { return e.Duration("D", time.Second) }, 15 * time.Minute, ""},
		{"duration negative", func(e *exampleapp.Env) any { return e.Duration("BAD_D", time.Second) }, time.Second, "BAD_D"},
		{"one of", func(e *exampleapp.Env) any { return e.OneOf("MODE", "a", "a", "b") }, "b", ""},
		{"one of unknown", func(e *exampleapp.Env) any { return e.OneOf("BAD_MODE", "a", "a", "b") }, "a", "BAD_MODE"},
		{"string trimmed", func(e *exampleapp.Env) any { return e.String("S", "") }, "v", ""},
		{"required missing", func(e *exampleapp.Env) any { return e.Required("UNSET", "for the test") }, "", "UNSET is required for the test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := exampleapp.NewEnv(exampletest.Env(vars))
			if got := tt.read(e); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			err := e.Err()
			if (tt.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("got error %v, want one naming %q", err, tt.wantErr)
			}
		})
	}
}

func TestNewRejectsBadSettings(t *testing.T) {
	for _, env := range []map[string]string{
		{"PORT": "http"}, {"SECRET_KEY": "short"}, {"RATE_LIMIT_USER": "0"}, {"DATABASE_URL": "mysql://x"},
	} {
		if env["DATABASE_URL"] == "" {
			env["DATABASE_URL"] = "sqlite:" + t.TempDir() + "/t.db"
		}
		_, err := exampleapp.New(context.Background(), "t", 0, exampletest.Env(env), io.Discard)
		if err == nil {
			t.Errorf("New with %v: got nil error, want one", env)
		}
	}
}

// TestServeGracefully serves a request, then ends the context while a
// request is in flight: Serve waits for it and returns nil.
func TestServeGracefully(t *testing.T) {
	var logs bytes.Buffer
	started, release := make(chan struct{}), make(chan struct{})
	app, err := exampleapp.Build(context.Background(), "t", 0,
		exampletest.Env(map[string]string{"DATABASE_URL": testenv.DatabaseURL(t)}), &logs,
		func(ctx context.Context, app *exampleapp.App) error {
			app.Mux.Handle("GET /slow", app.Limited(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				close(started)
				<-release
				w.Write([]byte("done"))
			})))
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	ln, err := app.Listen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- app.Serve(ctx, ln) }()
	url := "http://" + ln.Addr().String()
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get(url + "/slow")
		if err != nil {
			got <- err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- string(b)
	}()
	<-started
	cancel()
	close(release)
	if body := <-got; body != "done" {
		t.Fatalf("in-flight request: got %q, want done", body)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve: got %v, want nil after a graceful shutdown", err)
	}
	if !strings.Contains(logs.String(), "SECRET_KEY is not set") || !strings.Contains(logs.String(), "stopped") {
		t.Errorf("got logs %q, want the random-key warning and the stop", logs.String())
	}
}

func TestUserIDOnlyForGroundworkTokens(t *testing.T) {
	tests := []struct {
		name   string
		id     *auth.Identity
		wantID int64
		wantOK bool
	}{
		{"Groundwork token", &auth.Identity{Subject: "12", Claims: &auth.Claims{}}, 12, true},
		{"alternative verifier's subject", &auth.Identity{Subject: "12", Extra: map[string]any{}}, 0, false},
		{"non-numeric subject", &auth.Identity{Subject: "abc", Claims: &auth.Claims{}}, 0, false},
		{"no identity", nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodGet, "/", nil)
			if tt.id != nil {
				r = r.WithContext(auth.NewContext(r.Context(), tt.id))
			}
			id, ok := exampleapp.UserID(r)
			if id != tt.wantID || ok != tt.wantOK {
				t.Errorf("got %d, %v, want %d, %v", id, ok, tt.wantID, tt.wantOK)
			}
		})
	}
}

// TestRoutesAreLimitedAndMeasured checks the per-user limit on an
// authenticated route, the 429 envelope, and that the metrics see the
// route and the decisions.
func TestRoutesAreLimitedAndMeasured(t *testing.T) {
	srv, _ := exampletest.Build(t, "t", map[string]string{"RATE_LIMIT_USER": "2"}, func(ctx context.Context, app *exampleapp.App) error {
		app.Mux.Handle("GET /api/v1/whoami", app.Authenticated(exampleapp.ForUser(func(w http.ResponseWriter, r *http.Request, id int64) {
			w.Write([]byte(strconv.FormatInt(id, 10)))
		})))
		return nil
	})
	user := srv.Signup(t)
	for range 2 {
		srv.Do(t, http.MethodGet, "/api/v1/whoami", user.AccessToken, nil).Want(t, http.StatusOK, nil)
	}
	resp := srv.Do(t, http.MethodGet, "/api/v1/whoami", user.AccessToken, nil)
	resp.WantError(t, http.StatusTooManyRequests, "RATE_LIMITED")
	if resp.Header.Get("Retry-After") == "" {
		t.Error("got no Retry-After on the 429")
	}
	// Another user has a budget of their own.
	srv.Do(t, http.MethodGet, "/api/v1/whoami", srv.Signup(t).AccessToken, nil).Want(t, http.StatusOK, nil)
	// Unknown routes answer the envelope too.
	srv.Do(t, http.MethodGet, "/nowhere", "", nil).WantError(t, http.StatusNotFound, "NOT_FOUND")

	body := string(srv.Do(t, http.MethodGet, "/metrics", "", nil).Body)
	for _, want := range []string{`route="GET /api/v1/whoami"`, "groundwork_ratelimit_decisions_total", "groundwork_auth_session_events_total"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestTracingFromEnvironment checks that OTEL_EXPORTER_OTLP_ENDPOINT turns
// tracing on for every example: the request, rate-limit, hashing and SQL
// spans of a signup reach the collector under OTEL_SERVICE_NAME when the
// App closes, and HTTPClient and Transport are traced. Without the
// variables they are nil (the service layers' defaults).
func TestTracingFromEnvironment(t *testing.T) {
	off, err := exampleapp.New(context.Background(), "t", 0,
		exampletest.Env(map[string]string{"DATABASE_URL": testenv.DatabaseURL(t)}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if off.HTTPClient(time.Second) != nil || off.Transport() != nil {
		t.Error("tracing off: HTTPClient or Transport is not nil")
	}
	off.Close()

	col := &exampletest.Collector{}
	srv := httptest.NewServer(col)
	t.Cleanup(srv.Close)
	env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": srv.URL, "OTEL_SERVICE_NAME": "example-test",
		"DATABASE_URL": testenv.DatabaseURL(t)}
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", srv.URL) // the exporter reads the process environment
	prevTP, prevProp := otel.GetTracerProvider(), otel.GetTextMapPropagator()
	t.Cleanup(func() {
		otel.SetTracerProvider(prevTP)
		otel.SetTextMapPropagator(prevProp)
	})
	app, err := exampleapp.New(context.Background(), "t", 0, exampletest.Env(env), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if app.HTTPClient(time.Second) == nil || app.Transport() == nil {
		t.Error("tracing on: HTTPClient or Transport is nil")
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", exampleapp.APIPrefix+"/auth/signup", strings.NewReader(
		"username=tracer1&email=tracer1@example.com&password=trace-pass-123&first_name=T&last_name=R"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	app.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated {
		t.Fatalf("signup: %d %s", rec.Code, rec.Body)
	}
	if err := app.Close(); err != nil { // flushes the spans
		t.Fatal(err)
	}
	spans, services := col.Spans(), col.Services()
	for _, want := range []string{"POST " + exampleapp.APIPrefix + "/auth/signup", "ratelimit.allow", "argon2id.hash"} {
		if !slices.Contains(spans, want) {
			t.Errorf("spans %v: no %q", spans, want)
		}
	}
	if !slices.ContainsFunc(spans, func(s string) bool { return strings.HasPrefix(s, "INSERT") }) {
		t.Errorf("spans %v: no INSERT", spans)
	}
	if len(services) == 0 || services[0] != "example-test" {
		t.Errorf("services %v, want example-test", services)
	}
}
