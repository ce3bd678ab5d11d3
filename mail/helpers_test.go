package mail

import (
	"testing"
	"testing/fstest"
)

func mustTemplates(t *testing.T, files map[string]string) *Templates {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	tpl, err := NewTemplates(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}
