package main

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/mail"
)

// fakeResend is the Resend API's POST /emails, held until released.
type fakeResend struct {
	*httptest.Server
	release chan struct{}
	mu      sync.Mutex
	emails  []map[string]any
}

func newFakeResend(t *testing.T) *fakeResend {
	f := &fakeResend{release: make(chan struct{})}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "POST" || r.URL.Path != "/emails" || r.Header.Get("Authorization") != "Bearer re_test_key" {
			http.Error(w, `{"statusCode":401,"name":"validation_error","message":"bad request"}`, 401)
			return
		}
		body, _ := io.ReadAll(r.Body)
		<-f.release
		var m map[string]any
		json.Unmarshal(body, &m)
		f.mu.Lock()
		f.emails = append(f.emails, m)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"49a3999c-0ce1-4ea6-ab68-afcd6dc2e794"}`)
	}))
	t.Cleanup(f.Close)
	return f
}

func TestSignupQueuesWelcomeEmailWithoutWaiting(t *testing.T) {
	fake := newFakeResend(t)
	s := startServer(t, map[string]string{
		"MAIL_PROVIDER": "resend", "MAIL_API_KEY": "re_test_key",
		"MAIL_FROM": "Groundwork <hello@example.com>", "MAIL_BASE_URL": fake.URL,
	})
	c := apiClient{t, s.URL}
	start := time.Now()
	c.signup("welcomed") // the provider is still holding its reply
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Fatalf("signup took %v while the provider was stalled", elapsed)
	}
	close(fake.release)
	s.Close()
	s.app.Close() // drains the queue: the email is delivered, not dropped
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if len(fake.emails) != 1 {
		t.Fatalf("provider received %d emails, want 1", len(fake.emails))
	}
	to, _ := json.Marshal(fake.emails[0]["to"])
	if !strings.Contains(string(to), "welcomed@example.com") {
		t.Fatalf("to = %s", to)
	}
}

func TestSignupWithoutMailConfigured(t *testing.T) {
	s := startServer(t, nil)
	if s.app.mailer != nil {
		t.Fatal("a mailer exists without MAIL_PROVIDER")
	}
	apiClient{t, s.URL}.signup("nomail")
}

func TestWelcomeEmailRendersFromEmbeddedTemplates(t *testing.T) {
	tpl, err := loadMailTemplates()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(tpl.Names(), ","), welcomeTemplate; got != want {
		t.Fatalf("templates: got %q, want %q", got, want)
	}
	msg := newWelcomeMessage(mail.Address{Email: "john@example.com"}, welcomeData{AppName: "Groundwork", Username: "johndoe", FirstName: "John"})
	if got, want := msg.IdempotencyKey, "welcome/johndoe"; got != want {
		t.Errorf("idempotency key: got %q, want %q", got, want)
	}
	r, err := tpl.Render(msg.Template, msg.Data)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Subject, "Welcome to Groundwork, John!"; got != want {
		t.Errorf("subject: got %q, want %q", got, want)
	}
	for _, want := range []string{"<strong>johndoe</strong>", "The Groundwork team"} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("html: missing %q in %s", want, r.HTML)
		}
	}
	if _, err := tpl.Render(welcomeTemplate, welcomeData{AppName: "Groundwork", Username: "johndoe"}); !errors.Is(err, mail.ErrTemplate) {
		t.Errorf("empty first name: got %v, want mail.ErrTemplate", err)
	}
}

func TestWelcomeMailerRejectsIncompleteMailSettings(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	tests := []struct {
		name string
		cfg  mail.Config
		want string
	}{
		{"no key", mail.Config{Provider: "resend", From: "a@example.com"}, "APIKey is required"},
		{"no sender", mail.Config{Provider: "resend", APIKey: "re_k"}, "From is required"},
		{"unknown provider", mail.Config{Provider: "postmark", APIKey: "k", From: "a@example.com"}, `unknown Provider "postmark"`},
	}
	for _, tt := range tests {
		_, err := newWelcomeMailer(tt.cfg, logger)
		if !errors.Is(err, mail.ErrConfig) || !strings.Contains(err.Error(), "MAIL_PROVIDER, MAIL_API_KEY, MAIL_FROM") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want mail.ErrConfig naming the variables and %q", tt.name, err, tt.want)
		}
	}
}
