package stacktest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadmeShowsTheWiring keeps the README's "Use it in your own service"
// snippets for ServeMux and chi in step with the code these tests run: every
// code line of those two blocks appears in this package's sources.
func TestReadmeShowsTheWiring(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(readme)
	start := strings.Index(section, "## Use it in your own service\n")
	if start < 0 {
		t.Fatal(`README has no "Use it in your own service" section`)
	}
	section = section[start:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	blocks := goBlocks(section)
	if len(blocks) != 3 {
		t.Fatalf("got %d Go blocks in the section, want 3 (parts, ServeMux, chi)", len(blocks))
	}
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	var sources strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sources.Write(b)
	}
	for i, block := range blocks[1:] {
		for _, line := range strings.Split(block, "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "//") {
				continue
			}
			if !strings.Contains(sources.String(), line) {
				t.Errorf("README block %d: the line\n\t%s\nis not in the code internal/stacktest runs", i+2, line)
			}
		}
	}
}

// goBlocks returns the contents of the ```go blocks of markdown.
func goBlocks(markdown string) []string {
	var blocks []string
	for {
		i := strings.Index(markdown, "```go\n")
		if i < 0 {
			return blocks
		}
		markdown = markdown[i+len("```go\n"):]
		j := strings.Index(markdown, "```")
		if j < 0 {
			return blocks
		}
		blocks = append(blocks, markdown[:j])
		markdown = markdown[j+3:]
	}
}
