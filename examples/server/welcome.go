package main

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/groundwork-go/groundwork/mail"
	"github.com/groundwork-go/groundwork/users"
)

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
	sender, err := mail.NewSenderFromConfig(cfg, mail.SenderOptions{})
	if err != nil {
		return nil, err
	}
	return &welcomeMailer{queue: mail.NewQueue(sender, mail.QueueOptions{Logger: logger}), logger: logger}, nil
}

// onSignup is users.HandlerOptions.OnSignup. Enqueue never blocks; a full
// queue is logged by the queue itself.
func (m *welcomeMailer) onSignup(_ context.Context, u *users.User) {
	to := mail.Address{Name: strings.TrimSpace(u.FirstName + " " + u.LastName), Email: u.Email}
	msg := mail.NewWelcomeMessage(to, mail.WelcomeData{AppName: "Groundwork", Username: u.Username, FirstName: u.FirstName})
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
