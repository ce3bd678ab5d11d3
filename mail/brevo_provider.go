package mail

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/groundwork-go/groundwork/mail/brevo"
)

// BrevoProvider is the Provider for Brevo (brevo.com, formerly Sendinblue).
// Brevo derives attachment media types from file names (ContentType is not
// sent), takes tags as strings ("name:value") and wants UUID idempotency
// keys: other keys are mapped to a UUID derived from them. A text-only
// message is accepted, but Brevo delivers it converted to HTML.
type BrevoProvider struct {
	c *brevo.Client
}

var _ Provider = (*BrevoProvider)(nil)

// NewBrevoProvider returns a Provider sending through c.
func NewBrevoProvider(c *brevo.Client) *BrevoProvider { return &BrevoProvider{c: c} }

// Send implements Provider.
func (p *BrevoProvider) Send(ctx context.Context, m *Message) (Result, error) {
	var opts brevo.SendOptions
	if m.IdempotencyKey != "" {
		opts.IdempotencyKey = uuidKey(m.IdempotencyKey)
	}
	res, err := p.c.Send(ctx, toBrevo(m), opts)
	if err != nil {
		var apiErr *brevo.Error
		if errors.As(err, &apiErr) {
			return Result{}, &ProviderError{
				Provider: "brevo", StatusCode: apiErr.StatusCode, Code: apiErr.Code,
				Message: apiErr.Message, RetryAfter: parseRetryAfter(apiErr.RetryAfter, time.Now()),
			}
		}
		return Result{}, fmt.Errorf("mail: %w", err)
	}
	return Result{ID: res.MessageID}, nil
}

func toBrevo(m *Message) *brevo.Email {
	e := &brevo.Email{
		Sender:      brevoContact(m.From),
		To:          brevoContacts(m.To),
		Cc:          brevoContacts(m.Cc),
		Bcc:         brevoContacts(m.Bcc),
		Subject:     m.Subject,
		HTMLContent: m.HTML,
		TextContent: m.Text,
		Headers:     m.Headers,
	}
	if m.ReplyTo != nil {
		e.ReplyTo = brevoContact(*m.ReplyTo)
	}
	for _, a := range m.Attachments {
		e.Attachment = append(e.Attachment, brevo.Attachment{Name: a.Filename, Content: a.Content})
	}
	for _, t := range m.Tags {
		tag := t.Name
		if t.Value != "" {
			tag += ":" + t.Value
		}
		e.Tags = append(e.Tags, tag)
	}
	if !m.ScheduledAt.IsZero() {
		e.ScheduledAt = m.ScheduledAt.UTC().Format("2006-01-02T15:04:05.000Z07:00")
	}
	return e
}

func brevoContact(a Address) *brevo.Contact {
	return &brevo.Contact{Email: a.Email, Name: a.Name}
}

func brevoContacts(l AddressList) []brevo.Contact {
	if len(l) == 0 {
		return nil
	}
	out := make([]brevo.Contact, len(l))
	for i, a := range l {
		out[i] = *brevoContact(a)
	}
	return out
}
