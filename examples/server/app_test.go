package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/groundwork-go/groundwork/internal/testenv"
)

// testServer is the whole example server, in-process, on real backends:
// PostgreSQL and Redis when DATABASE_URL/REDIS_URL are set (isolated per
// test), else SQLite and memory backends.
type testServer struct {
	*httptest.Server
	app *app
}

// startServer starts the example server with env overriding the test's
// backend URLs.
func startServer(t testing.TB, env map[string]string) *testServer {
	t.Helper()
	return startTracedServer(t, env, nil)
}

// startTracedServer is startServer with spans going to tp (nil: tracing
// off).
func startTracedServer(t testing.TB, env map[string]string, tp trace.TracerProvider) *testServer {
	t.Helper()
	vars := map[string]string{
		"DATABASE_URL": testenv.DatabaseURL(t),
		"LOG_LEVEL":    "error",
	}
	if testenv.UsingRealRedis() {
		redis := testenv.Redis(t)
		vars["REDIS_URL"] = redis.URL
		vars["REDIS_KEY_PREFIX"] = redis.Prefix
	}
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := loadConfig(envFrom(vars))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	a, err := newApp(context.Background(), cfg, newLogger(cfg, io.Discard), tp) // at LOG_LEVEL, as main does
	if err != nil {
		t.Fatalf("newApp: %v", err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return &testServer{Server: srv, app: a}
}

func TestHealthHealthy(t *testing.T) {
	s := startServer(t, nil)
	resp, err := http.Get(s.URL + "/health")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body healthResponse
	json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != 200 || body.Status != "healthy" || body.Version != version {
		t.Fatalf("got %d %+v, want 200 healthy %s", resp.StatusCode, body, version)
	}
	if _, err := time.Parse(time.RFC3339, body.Timestamp); err != nil {
		t.Fatalf("timestamp %q: %v", body.Timestamp, err)
	}
}

func TestHealthDatabaseGone(t *testing.T) {
	s := startServer(t, nil)
	s.app.db.Close()
	resp, err := http.Get(s.URL + "/health")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body healthResponse
	json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != 503 || body.Status != "unhealthy" || body.Error != "Database connection failed" {
		t.Fatalf("got %d %+v, want 503 unhealthy", resp.StatusCode, body)
	}
}

func TestHealthUnreachableDependencyAnswersWithinTimeout(t *testing.T) {
	// A dependency that never answers (a black-holed host) must not hang
	// /health: the check is cut off at healthTimeout.
	hang := healthCheck{name: "Database connection failed", ping: func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	}}
	rec := httptest.NewRecorder()
	start := time.Now()
	handleHealth([]healthCheck{hang}).ServeHTTP(rec, httptest.NewRequest("GET", "/health", nil))
	elapsed := time.Since(start)
	if rec.Code != 503 {
		t.Fatalf("status = %d, want 503", rec.Code)
	}
	if elapsed > healthTimeout+time.Second {
		t.Fatalf("took %v, want at most %v", elapsed, healthTimeout+time.Second)
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
