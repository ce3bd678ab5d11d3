package depcheck

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/groundwork-go/groundwork/"

// heavy are the dependencies no core package may compile.
var heavy = []string{"google.golang.org/grpc", "github.com/appleboy/go-fcm", "github.com/prometheus/"}

// otel is OpenTelemetry: only the tracing package adapts the core
// packages' tracehook options to it.
var otel = []string{"go.opentelemetry.io/"}

// drivers are the database drivers; the packages that only talk to a
// database handed to them must link neither.
var drivers = []string{"github.com/lib/pq", "modernc.org/sqlite", module + "internal/database"}

// TestDependencies checks with `go list -deps` that importing a core
// package does not compile gRPC, go-fcm, Prometheus or OpenTelemetry, and
// that users, whose store works on a *sqlx.DB opened elsewhere, links no
// database driver: a PostgreSQL service does not compile SQLite and vice
// versa.
func TestDependencies(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH")
	}
	core := append(append([]string{}, heavy...), otel...)
	tests := []struct {
		pkg       string
		forbidden []string
	}{
		{"tracehook", core},
		{"httpx", core},
		{"auth", core},
		{"auth/firebase", core},
		{"ratelimit", core},
		{"cache", core},
		{"users", append(append([]string{}, core...), drivers...)},
		{"storage", core},
		{"notify", core},
		{"mail", core},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			for _, dep := range deps(t, module+tt.pkg) {
				for _, f := range tt.forbidden {
					if dep == f || strings.HasPrefix(dep, strings.TrimSuffix(f, "/")+"/") {
						t.Errorf("%s depends on %s", tt.pkg, dep)
					}
				}
			}
		})
	}
}

// testOnly are the helpers and modules only this repository's tests use.
var testOnly = []string{module + "internal/testenv", module + "internal/stacktest", "github.com/alicebob/miniredis", "github.com/go-chi/chi"}

// TestNoTestHelpersInLibraries checks that the library packages, the
// conformance suites a service's own tests import among them, compile none
// of this repository's test helpers, so a service's `go mod tidy` does not
// have to resolve miniredis or chi through them.
func TestNoTestHelpersInLibraries(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH")
	}
	pkgs := []string{"httpx", "auth", "auth/authtest", "ratelimit", "ratelimit/ratelimittest", "cache", "cache/cachetest",
		"cache/httpcache", "users", "users/userstest", "storage", "storage/storagetest", "notify", "notify/notifytest", "mail", "metrics",
		"tracehook", "tracehook/tracehooktest", "tracing"}
	for _, pkg := range pkgs {
		t.Run(pkg, func(t *testing.T) {
			for _, dep := range deps(t, module+pkg) {
				for _, f := range testOnly {
					if dep == f || strings.HasPrefix(dep, f+"/") {
						t.Errorf("%s depends on %s", pkg, dep)
					}
				}
			}
		})
	}
}

// TestDriverCheckDetects keeps the driver rule honest: the package that
// opens databases does link both drivers, so the prefixes above match
// real import paths.
func TestDriverCheckDetects(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH")
	}
	got := map[string]bool{}
	for _, dep := range deps(t, module+"internal/database") {
		got[dep] = true
	}
	for _, want := range drivers[:2] {
		if !got[want] {
			t.Errorf("go list -deps internal/database lacks %s; the driver rule would match nothing", want)
		}
	}
}

// TestOtelCheckDetects keeps the OpenTelemetry rule honest: the tracing
// package does link it, so the prefix matches real import paths.
func TestOtelCheckDetects(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH")
	}
	for _, dep := range deps(t, module+"tracing") {
		if strings.HasPrefix(dep, otel[0]) {
			return
		}
	}
	t.Errorf("go list -deps tracing lacks %s...; the OpenTelemetry rule would match nothing", otel[0])
}

// deps lists the packages pkg compiles, itself included.
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
	}
	return strings.Fields(string(out))
}
