package mail

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	texttemplate "text/template"
)

// File layout read by NewTemplates, relative to the root of the fs.FS.
const (
	htmlSuffix    = ".html.tmpl"
	textSuffix    = ".text.tmpl"
	subjectSuffix = ".subject.tmpl"
)

// sharedDirs hold layouts and partials available to every template.
var sharedDirs = []string{"layouts", "partials"}

// Templates is a set of named email templates, parsed once and safe for
// concurrent use.
//
// A template named N consists of top-level files in the fs.FS:
// N.subject.tmpl (text/template, optional), N.html.tmpl (html/template,
// auto-escaped) and N.text.tmpl (text/template); at least one of the last two
// must exist. Files in layouts/ and partials/ ending in .html.tmpl or
// .text.tmpl are parsed into every HTML or text template respectively, so a
// template can start with {{template "layout" .}} and {{define "content"}}.
//
// Rendering fails instead of producing an incomplete email: a field or map
// key missing from the data is an error, and the function
// {{required "Name" .Name}} fails on an empty value.
type Templates struct {
	emails map[string]*emailTemplate
}

type emailTemplate struct {
	subject *texttemplate.Template
	html    *htmltemplate.Template
	text    *texttemplate.Template
}

// Rendered is the output of Templates.Render.
type Rendered struct {
	// Subject is the rendered subject line, trimmed; empty when the template
	// has no subject file.
	Subject string
	// HTML is the rendered HTML body; empty without an HTML file.
	HTML string
	// Text is the rendered text body; empty without a text file.
	Text string
}

// templateFuncs are available in every template.
var templateFuncs = map[string]any{"required": required}

// required returns v, or an error naming the field when v is empty.
func required(name string, v any) (any, error) {
	if v == nil || reflect.ValueOf(v).IsZero() {
		return nil, fmt.Errorf("data field %s is required", name)
	}
	return v, nil
}

// NewTemplates parses every template in fsys (layout above). It fails on a
// syntax error or a template without a body.
func NewTemplates(fsys fs.FS) (*Templates, error) {
	htmlBase, err := parseShared(fsys, htmlSuffix, htmltemplate.New("").Option("missingkey=error").Funcs(templateFuncs))
	if err != nil {
		return nil, err
	}
	textBase, err := parseShared(fsys, textSuffix, texttemplate.New("").Option("missingkey=error").Funcs(templateFuncs))
	if err != nil {
		return nil, err
	}
	names, err := templateNames(fsys)
	if err != nil {
		return nil, err
	}
	t := &Templates{emails: make(map[string]*emailTemplate, len(names))}
	for _, name := range names {
		et, err := parseEmail(fsys, name, htmlBase, textBase)
		if err != nil {
			return nil, err
		}
		t.emails[name] = et
	}
	return t, nil
}

// Names returns the template names in order.
func (t *Templates) Names() []string {
	names := make([]string, 0, len(t.emails))
	for n := range t.emails {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Render executes the named template with data. It fails with
// ErrUnknownTemplate or ErrTemplate; it never returns a partial email.
func (t *Templates) Render(name string, data any) (*Rendered, error) {
	et, ok := t.emails[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownTemplate, name)
	}
	var out Rendered
	var buf bytes.Buffer
	if et.subject != nil {
		if err := et.subject.ExecuteTemplate(&buf, name+subjectSuffix, data); err != nil {
			return nil, fmt.Errorf("%w: %s subject: %w", ErrTemplate, name, err)
		}
		out.Subject = strings.TrimSpace(buf.String())
	}
	if et.html != nil {
		buf.Reset()
		if err := et.html.ExecuteTemplate(&buf, name+htmlSuffix, data); err != nil {
			return nil, fmt.Errorf("%w: %s html: %w", ErrTemplate, name, err)
		}
		out.HTML = strings.TrimSpace(buf.String())
	}
	if et.text != nil {
		buf.Reset()
		if err := et.text.ExecuteTemplate(&buf, name+textSuffix, data); err != nil {
			return nil, fmt.Errorf("%w: %s text: %w", ErrTemplate, name, err)
		}
		out.Text = strings.TrimSpace(buf.String()) + "\n"
	}
	return &out, nil
}

// parser is what html/template and text/template have in common.
type parser[T any] interface {
	ParseFS(fsys fs.FS, patterns ...string) (T, error)
	Clone() (T, error)
}

// parseShared parses the layouts and partials ending in suffix into base.
func parseShared[T parser[T]](fsys fs.FS, suffix string, base T) (T, error) {
	var files []string
	for _, dir := range sharedDirs {
		m, err := fs.Glob(fsys, dir+"/*"+suffix)
		if err != nil {
			return base, fmt.Errorf("mail: templates: %w", err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		return base, nil
	}
	if _, err := base.ParseFS(fsys, files...); err != nil {
		return base, fmt.Errorf("mail: templates: %w", err)
	}
	return base, nil
}

// templateNames lists N for every top-level N.html.tmpl or N.text.tmpl.
func templateNames(fsys fs.FS) ([]string, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("mail: templates: %w", err)
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		for _, suf := range []string{htmlSuffix, textSuffix} {
			if base, ok := strings.CutSuffix(n, suf); ok && !e.IsDir() && !slices.Contains(names, base) {
				names = append(names, base)
			}
		}
	}
	return names, nil
}

// parseEmail parses the files of the template called name.
func parseEmail(fsys fs.FS, name string, htmlBase *htmltemplate.Template, textBase *texttemplate.Template) (*emailTemplate, error) {
	var et emailTemplate
	var err error
	if et.html, err = parseBody(fsys, name+htmlSuffix, htmlBase); err != nil {
		return nil, err
	}
	if et.text, err = parseBody(fsys, name+textSuffix, textBase); err != nil {
		return nil, err
	}
	if exists(fsys, name+subjectSuffix) {
		subj := texttemplate.New("").Option("missingkey=error").Funcs(templateFuncs)
		if et.subject, err = subj.ParseFS(fsys, name+subjectSuffix); err != nil {
			return nil, fmt.Errorf("mail: template %s: %w", name, err)
		}
	}
	return &et, nil
}

// parseBody clones base and parses file into the clone; nil when file does
// not exist.
func parseBody[T parser[T]](fsys fs.FS, file string, base T) (T, error) {
	var zero T
	if !exists(fsys, file) {
		return zero, nil
	}
	clone, err := base.Clone()
	if err != nil {
		return zero, fmt.Errorf("mail: template %s: %w", file, err)
	}
	if _, err := clone.ParseFS(fsys, file); err != nil {
		return zero, fmt.Errorf("mail: template %s: %w", file, err)
	}
	return clone, nil
}

func exists(fsys fs.FS, name string) bool {
	_, err := fs.Stat(fsys, name)
	return err == nil
}
