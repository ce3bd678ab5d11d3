package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/groundwork-go/groundwork/mail/internal/fakeapi"
)

func TestConfigEnabled(t *testing.T) {
	if !(Config{Provider: "resend"}).Enabled() {
		t.Error("Config with a provider: Enabled got false, want true")
	}
	if (Config{}).Enabled() {
		t.Error("zero Config: Enabled got true, want false")
	}
}

func TestConfigRedactsAPIKey(t *testing.T) {
	cfg := Config{Provider: "brevo", APIKey: "xkeysib-very-secret", From: "a@acme.test"}
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("config", "mail", cfg)
	for _, s := range []string{cfg.String(), fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg), logs.String()} {
		if strings.Contains(s, "very-secret") {
			t.Errorf("API key leaked in %q", s)
		}
		if !strings.Contains(s, "[redacted]") {
			t.Errorf("got %q, want a [redacted] key", s)
		}
	}
}

func TestNewProviderFromConfig(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		want    string // provider type, or "" for an error
		wantErr string
	}{
		{"resend", Config{Provider: "resend", APIKey: "k"}, "*mail.ResendProvider", ""},
		{"brevo upper case", Config{Provider: "Brevo", APIKey: "k"}, "*mail.BrevoProvider", ""},
		{"unset", Config{}, "", "Provider is not set"},
		{"unknown", Config{Provider: "sendgrid", APIKey: "k"}, "", `unknown Provider "sendgrid"`},
		{"no key", Config{Provider: "resend"}, "", "APIKey is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewProviderFromConfig(tt.cfg)
			if tt.wantErr != "" {
				if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want ErrConfig mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprintf("%T", p); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestNewSenderFromConfig(t *testing.T) {
	srv := fakeapi.Start(t, brevoOK)
	cfg := Config{Provider: "brevo", APIKey: "xkeysib-k", From: "Groundwork <no-reply@groundwork.test>", BaseURL: srv.URL, HTTPClient: srv.Client}
	s, err := NewSenderFromConfig(cfg, SenderOptions{Templates: testTemplates(t)})
	if err != nil {
		t.Fatal(err)
	}
	msg := newWelcomeMessage(Address{Email: "john@example.com"}, welcomeData{AppName: "Groundwork", Username: "johndoe", FirstName: "John"})
	if _, err := s.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	body := srv.Last(t).Body
	for _, want := range []string{`"sender":{"email":"no-reply@groundwork.test","name":"Groundwork"}`, `"subject":"Welcome to Groundwork, John!"`, `"idempotencyKey":"` + uuidKey("welcome/johndoe") + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("body: missing %s in %s", want, body)
		}
	}
	for _, bad := range []Config{
		{Provider: "brevo", APIKey: "k"},
		{Provider: "brevo", APIKey: "k", From: "not an address"},
		{Provider: "smtp", APIKey: "k", From: "a@acme.test"},
	} {
		if _, err := NewSenderFromConfig(bad, SenderOptions{}); !errors.Is(err, ErrConfig) {
			t.Errorf("%v: got %v, want ErrConfig", bad, err)
		}
	}
}
