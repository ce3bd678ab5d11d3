package api

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestGeneratedCodeIsCurrent regenerates the client with the generator
// version go.mod pins and the committed configuration, and fails when the
// result differs from the committed api.gen.go: the document changed and
// nobody ran go generate, or someone edited the generated file.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatalf("the go command is not on PATH: %v", err)
	}
	committed, err := os.ReadFile("api.gen.go")
	if err != nil {
		t.Fatal(err)
	}
	// A cold build of the generator takes a while on a busy machine.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, "go", "tool", "oapi-codegen", "-config", "oapi-codegen.yaml", "../../server/openapi.yaml")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("oapi-codegen: %v\n%s", err, stderr.Bytes())
	}
	if line, got, want := firstDifference(stdout.String(), string(committed)); line > 0 {
		t.Errorf("api.gen.go is stale (run go generate ./examples/client/api): line %d:\ncommitted %q\ngenerated %q", line, want, got)
	}
}

// firstDifference returns the first line (counted from 1) where a and b
// differ, with both versions of it, or 0 when they are equal.
func firstDifference(a, b string) (line int, lineA, lineB string) {
	if a == b {
		return 0, "", ""
	}
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(la), len(lb)) {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y || i >= len(la) || i >= len(lb) {
			return i + 1, x, y
		}
	}
	return len(la), "", ""
}

func TestFirstDifference(t *testing.T) {
	tests := []struct {
		a, b   string
		line   int
		la, lb string
	}{
		{"x\ny\n", "x\ny\n", 0, "", ""},
		{"x\ny\n", "x\nz\n", 2, "y", "z"},
		{"x\ny", "x\ny\nz", 3, "", "z"},
		{"x\ny\n", "x\ny", 3, "", ""},
	}
	for _, tt := range tests {
		line, la, lb := firstDifference(tt.a, tt.b)
		if line != tt.line || la != tt.la || lb != tt.lb {
			t.Errorf("firstDifference(%q, %q) = %d, %q, %q, want %d, %q, %q", tt.a, tt.b, line, la, lb, tt.line, tt.la, tt.lb)
		}
	}
}
