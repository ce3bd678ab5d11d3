package mail

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/groundwork-go/groundwork/mail/resend"
)

// ResendProvider is the Provider for Resend (resend.com).
type ResendProvider struct {
	c *resend.Client
}

var _ Provider = (*ResendProvider)(nil)

// NewResendProvider returns a Provider sending through c.
func NewResendProvider(c *resend.Client) *ResendProvider { return &ResendProvider{c: c} }

// Send implements Provider.
func (p *ResendProvider) Send(ctx context.Context, m *Message) (Result, error) {
	res, err := p.c.Send(ctx, toResend(m), resend.SendOptions{IdempotencyKey: m.IdempotencyKey})
	if err != nil {
		var apiErr *resend.Error
		if errors.As(err, &apiErr) {
			return Result{}, &ProviderError{
				Provider: "resend", StatusCode: apiErr.StatusCode, Code: apiErr.Name,
				Message: apiErr.Message, RetryAfter: parseRetryAfter(apiErr.RetryAfter, time.Now()),
			}
		}
		return Result{}, fmt.Errorf("mail: %w", err)
	}
	return Result{ID: res.ID}, nil
}

func toResend(m *Message) *resend.Email {
	e := &resend.Email{
		From:    m.From.String(),
		To:      m.To.Strings(),
		Cc:      m.Cc.Strings(),
		Bcc:     m.Bcc.Strings(),
		Subject: m.Subject,
		HTML:    m.HTML,
		Text:    m.Text,
		Headers: m.Headers,
	}
	if m.ReplyTo != nil {
		e.ReplyTo = []string{m.ReplyTo.String()}
	}
	for _, a := range m.Attachments {
		e.Attachments = append(e.Attachments, resend.Attachment{Filename: a.Filename, Content: a.Content, ContentType: a.ContentType})
	}
	for _, t := range m.Tags {
		e.Tags = append(e.Tags, resend.Tag{Name: t.Name, Value: t.Value})
	}
	if !m.ScheduledAt.IsZero() {
		e.ScheduledAt = m.ScheduledAt.UTC().Format(time.RFC3339)
	}
	return e
}
