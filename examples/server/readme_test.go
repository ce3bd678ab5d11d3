package main

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeDocumentsEveryVariable keeps the README's table in step with
// envVars: every variable appears with its default and meaning.
func TestReadmeDocumentsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatalf("read README: %v", err)
	}
	for _, ev := range envVars {
		def := "(unset)"
		if ev.def != "" {
			def = "`" + ev.def + "`"
		}
		row := "| `" + ev.name + "` | " + def + " | " + ev.doc + " |"
		if !strings.Contains(string(readme), row) {
			t.Errorf("README lacks the row\n%s", row)
		}
	}
}
