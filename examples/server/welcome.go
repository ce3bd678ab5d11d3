package main

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"time"

	"github.com/groundwork-go/groundwork/mail"
	"github.com/groundwork-go/groundwork/users"
)

// mailTemplates holds the server's emails (see mail.NewTemplates for the
// layout): the welcome email and its layouts and partials.
//
//go:embed mailtemplates
var mailTemplates embed.FS

// welcomeTemplate is the name of the welcome email; its data is a welcomeData.
const welcomeTemplate = "welcome"

// welcomeData is the data of welcomeTemplate. All fields are required:
// rendering fails on an empty one rather than sending "Welcome, !".
type welcomeData struct {
	AppName   string // the product's name, e.g. "Groundwork"
	Username  string // the account's username, e.g. "johndoe"
	FirstName string // the greeting name, e.g. "John"
}

// newWelcomeMessage returns the welcome email for a new user. The idempotency
// key "welcome/<username>" makes the email go out once per account even if it
// is queued twice within the provider's deduplication window.
func newWelcomeMessage(to mail.Address, data welcomeData) *mail.Message {
	return &mail.Message{
		To:             mail.AddressList{to},
		Template:       welcomeTemplate,
		Data:           data,
		IdempotencyKey: "welcome/" + data.Username,
	}
}

// loadMailTemplates parses the embedded emails.
func loadMailTemplates() (*mail.Templates, error) {
	sub, err := fs.Sub(mailTemplates, "mailtemplates")
	if err != nil {
		return nil, err
	}
	return mail.NewTemplates(sub)
}

// welcomeMailer queues a welcome email per signup on a bounded background
// queue, so a slow or failing provider never delays or fails a signup.
type welcomeMailer struct {
	queue  *mail.Queue
	logger *slog.Logger
}

// newWelcomeMailer returns nil (send nothing) when MAIL_PROVIDER is unset.
func newWelcomeMailer(cfg mail.Config, logger *slog.Logger) (*welcomeMailer, error) {
	if !cfg.Enabled() {
		return nil, nil
	}
	tpl, err := loadMailTemplates()
	if err != nil {
		return nil, err
	}
	sender, err := mail.NewSenderFromConfig(cfg, mail.SenderOptions{Templates: tpl})
	if err != nil {
		return nil, fmt.Errorf("MAIL_PROVIDER, MAIL_API_KEY, MAIL_FROM: %w", err)
	}
	return &welcomeMailer{queue: mail.NewQueue(sender, mail.QueueOptions{Logger: logger}), logger: logger}, nil
}

// onSignup is users.HandlerOptions.OnSignup. Enqueue never blocks; a full
// queue is logged by the queue itself.
func (m *welcomeMailer) onSignup(_ context.Context, u *users.User) {
	to := mail.Address{Name: strings.TrimSpace(u.FirstName + " " + u.LastName), Email: u.Email}
	msg := newWelcomeMessage(to, welcomeData{AppName: "Groundwork", Username: u.Username, FirstName: u.FirstName})
	m.queue.Enqueue(msg)
}

// close delivers or logs every queued email within timeout.
func (m *welcomeMailer) close(timeout time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := m.queue.Close(ctx); err != nil {
		m.logger.Error("welcome emails not all delivered before shutdown", "err", err)
	}
}
