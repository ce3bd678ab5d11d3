package mail

import (
	"os"
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

// welcomeTemplate is the test email in testdata/templates; its data is a
// welcomeData.
const welcomeTemplate = "welcome"

// welcomeData is the data of welcomeTemplate; every field is required.
type welcomeData struct {
	AppName, Username, FirstName string
}

// newWelcomeMessage returns the test email for data, deduplicated per username.
func newWelcomeMessage(to Address, data welcomeData) *Message {
	return &Message{To: AddressList{to}, Template: welcomeTemplate, Data: data, IdempotencyKey: "welcome/" + data.Username}
}

// testTemplates parses testdata/templates.
func testTemplates(t *testing.T) *Templates {
	t.Helper()
	tpl, err := NewTemplates(os.DirFS("testdata/templates"))
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}
