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

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{"MAIL_PROVIDER": " resend ", "MAIL_API_KEY": "re_k", "MAIL_FROM": "Acme <a@acme.test>", "MAIL_BASE_URL": "http://127.0.0.1:1"}
	cfg := ConfigFromEnv(func(k string) string { return env[k] })
	want := Config{Provider: "resend", APIKey: "re_k", From: "Acme <a@acme.test>", BaseURL: "http://127.0.0.1:1"}
	if cfg.String() != want.String() || cfg.APIKey != want.APIKey || !cfg.Enabled() {
		t.Errorf("got %v, want %v", cfg, want)
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
		{"unset", Config{}, "", "MAIL_PROVIDER is not set"},
		{"unknown", Config{Provider: "sendgrid", APIKey: "k"}, "", `unknown MAIL_PROVIDER "sendgrid"`},
		{"no key", Config{Provider: "resend"}, "", "MAIL_API_KEY is required"},
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
	s, err := NewSenderFromConfig(cfg, SenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	msg := NewWelcomeMessage(Address{Email: "john@example.com"}, WelcomeData{AppName: "Groundwork", Username: "johndoe", FirstName: "John"})
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
