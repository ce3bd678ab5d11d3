package depcheck

import (
	"os/exec"
	"strings"
	"testing"
)

// TestCorePackagesStayLight checks with `go list -deps` that importing the
// core packages does not compile gRPC, go-fcm or Prometheus.
func TestCorePackagesStayLight(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH")
	}
	core := []string{"httpx", "auth", "auth/firebase", "ratelimit", "cache", "users", "storage", "notify", "mail"}
	forbidden := []string{"google.golang.org/grpc", "github.com/appleboy/go-fcm", "github.com/prometheus/"}
	for _, pkg := range core {
		out, err := exec.Command("go", "list", "-deps", "github.com/groundwork-go/groundwork/"+pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, f := range forbidden {
				if strings.HasPrefix(dep, f) {
					t.Errorf("%s depends on %s", pkg, dep)
				}
			}
		}
	}
}
