package mail

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

func TestTemplatesWelcome(t *testing.T) {
	tpl := testTemplates(t)
	if got, want := strings.Join(tpl.Names(), ","), "welcome"; got != want {
		t.Fatalf("names: got %s, want %s", got, want)
	}
	r, err := tpl.Render(welcomeTemplate, welcomeData{AppName: "Groundwork", Username: "johndoe", FirstName: "John"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Subject, "Welcome to Groundwork, John!"; got != want {
		t.Errorf("subject: got %q, want %q", got, want)
	}
	for _, want := range []string{"<!DOCTYPE html>", "<title>Welcome to Groundwork</title>", "Welcome, John!", "<strong>johndoe</strong>", "The Groundwork team"} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("html: missing %q in\n%s", want, r.HTML)
		}
	}
	wantText := "Welcome, John!\n\nYour Groundwork account \"johndoe\" is ready. Sign in with your username and the password you chose.\n\n" +
		"If you did not create this account, you can ignore this email.\n\n-- \nThe Groundwork team\n"
	if r.Text != wantText {
		t.Errorf("text:\ngot  %q\nwant %q", r.Text, wantText)
	}
}

func TestRenderEscapesHTMLOnly(t *testing.T) {
	r, err := testTemplates(t).Render(welcomeTemplate, welcomeData{AppName: "A&B", Username: `<script>alert("x")</script>`, FirstName: "Jo"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.HTML, "<script>") {
		t.Errorf("html: username not escaped:\n%s", r.HTML)
	}
	if want := "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"; !strings.Contains(r.HTML, want) {
		t.Errorf("html: missing escaped %q in\n%s", want, r.HTML)
	}
	if want := `"<script>alert("x")</script>"`; !strings.Contains(r.Text, want) {
		t.Errorf("text: want the raw %q in\n%s", want, r.Text)
	}
	if got, want := r.Subject, "Welcome to A&B, Jo!"; got != want {
		t.Errorf("subject: got %q, want %q (text, unescaped)", got, want)
	}
}

func TestRenderErrors(t *testing.T) {
	tpl := testTemplates(t)
	tests := []struct {
		name, template string
		data           any
		wantErr        error
		wantText       string
	}{
		{"unknown template", "goodbye", welcomeData{}, ErrUnknownTemplate, `"goodbye"`},
		{"empty field", welcomeTemplate, welcomeData{AppName: "G", Username: "u"}, ErrTemplate, "FirstName is required"},
		{"missing map key", welcomeTemplate, map[string]string{"AppName": "G", "FirstName": "F"}, ErrTemplate, `map has no entry for key "Username"`},
		{"wrong struct", welcomeTemplate, struct{ AppName, FirstName string }{"G", "F"}, ErrTemplate, "can't evaluate field Username"},
		{"nil data", welcomeTemplate, nil, ErrTemplate, "welcome subject"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := tpl.Render(tt.template, tt.data)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if r != nil {
				t.Errorf("got a rendered email %+v, want nil", r)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("got %q, want it to contain %q", err, tt.wantText)
			}
		})
	}
}

func TestNewTemplatesLayoutsAndPartials(t *testing.T) {
	fsys := fstest.MapFS{
		"layouts/main.html.tmpl":  {Data: []byte(`{{define "layout"}}<main>{{template "content" .}}</main>{{template "sig"}}{{end}}`)},
		"partials/sig.html.tmpl":  {Data: []byte(`{{define "sig"}}<i>sig</i>{{end}}`)},
		"a.html.tmpl":             {Data: []byte(`{{template "layout" .}}{{define "content"}}A {{.X}}{{end}}`)},
		"b.html.tmpl":             {Data: []byte(`{{template "layout" .}}{{define "content"}}B {{.X}}{{end}}`)},
		"b.subject.tmpl":          {Data: []byte("  Subject {{.X}}\n")},
		"c.text.tmpl":             {Data: []byte(`C {{.X}}`)},
		"notes.md":                {Data: []byte(`ignored`)},
		"partials/unused.txt.bak": {Data: []byte(`ignored`)},
	}
	tpl, err := NewTemplates(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(tpl.Names(), ","), "a,b,c"; got != want {
		t.Fatalf("names: got %s, want %s", got, want)
	}
	data := map[string]string{"X": "<x>"}
	tests := []struct {
		name string
		want Rendered
	}{
		{"a", Rendered{HTML: "<main>A &lt;x&gt;</main><i>sig</i>"}},
		{"b", Rendered{Subject: "Subject <x>", HTML: "<main>B &lt;x&gt;</main><i>sig</i>"}},
		{"c", Rendered{Text: "C <x>\n"}},
	}
	for _, tt := range tests {
		r, err := tpl.Render(tt.name, data)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if *r != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.name, *r, tt.want)
		}
	}
}

func TestNewTemplatesSyntaxError(t *testing.T) {
	tests := map[string]fstest.MapFS{
		"body":    {"a.html.tmpl": {Data: []byte(`{{.X`)}},
		"subject": {"a.text.tmpl": {Data: []byte(`x`)}, "a.subject.tmpl": {Data: []byte(`{{if}}`)}},
		"layout":  {"layouts/l.text.tmpl": {Data: []byte(`{{end}}`)}, "a.text.tmpl": {Data: []byte(`x`)}},
	}
	for name, fsys := range tests {
		if _, err := NewTemplates(fsys); err == nil {
			t.Errorf("%s: got nil error, want a parse error", name)
		}
	}
}
