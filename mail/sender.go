package mail

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"time"
)

// Deliverer is anything that sends a message: a *Sender, or a Provider when
// no retries or templates are wanted. Queue accepts one.
type Deliverer interface {
	// Send delivers msg and returns the provider's result.
	Send(ctx context.Context, msg *Message) (Result, error)
}

// SenderOptions holds the optional settings of a Sender. The zero value
// sends messages with a body of their own (no templates) and makes up to 4
// attempts with backoff from 500ms to 30s.
type SenderOptions struct {
	// Templates renders messages that name a Template (see NewTemplates).
	// Default: none; a message naming a template then fails with
	// ErrUnknownTemplate.
	Templates *Templates
	// DefaultFrom is used when a message has no From. Default: none (From is
	// then required on every message).
	DefaultFrom Address
	// MaxAttempts bounds the provider calls per Send, first try included.
	// Default: 4.
	MaxAttempts int
	// BaseDelay is the backoff before the first retry; it doubles with each
	// retry and is jittered to between half and all of its value.
	// Default: 500ms.
	BaseDelay time.Duration
	// MaxDelay caps the backoff between attempts. Default: 30s.
	MaxDelay time.Duration
	// MaxRetryAfter is the longest Retry-After the Sender waits for; when a
	// provider asks for more, Send gives up and returns the error.
	// Default: 60s.
	MaxRetryAfter time.Duration
}

// Sender validates and renders messages and hands them to a Provider,
// retrying with exponential backoff and jitter while the provider is
// throttling or failing (429, 5xx, transport errors) and honouring
// Retry-After. It never retries a rejected message (other 4xx). Every attempt
// of one Send carries the same idempotency key, so a retry cannot deliver
// twice. A Sender is safe for concurrent use.
type Sender struct {
	provider Provider
	opts     SenderOptions
	// sleep waits for d or until ctx is done; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
}

var _ Deliverer = (*Sender)(nil)

// NewSender returns a Sender delivering through p.
func NewSender(p Provider, opts SenderOptions) *Sender {
	if opts.Templates == nil {
		opts.Templates = &Templates{}
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 4
	}
	if opts.BaseDelay <= 0 {
		opts.BaseDelay = 500 * time.Millisecond
	}
	if opts.MaxDelay <= 0 {
		opts.MaxDelay = 30 * time.Second
	}
	if opts.MaxRetryAfter <= 0 {
		opts.MaxRetryAfter = time.Minute
	}
	return &Sender{provider: p, opts: opts, sleep: sleepContext}
}

// Prepare returns the message as it will be sent: a copy of msg with
// DefaultFrom applied, its template rendered into Subject/HTML/Text, and
// validated. It fails with a *ValidationError (ErrInvalidMessage),
// ErrUnknownTemplate or ErrTemplate. msg is not modified.
func (s *Sender) Prepare(msg *Message) (*Message, error) {
	m := *msg
	if m.From.IsZero() {
		m.From = s.opts.DefaultFrom
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if m.Template == "" {
		return &m, nil
	}
	r, err := s.opts.Templates.Render(m.Template, m.Data)
	if err != nil {
		return nil, err
	}
	if m.Subject == "" {
		m.Subject = r.Subject
	}
	m.HTML, m.Text, m.Template, m.Data = r.HTML, r.Text, "", nil
	if err := m.Validate(); err != nil { // the template's subject must be valid too
		return nil, fmt.Errorf("template %s: %w", msg.Template, err)
	}
	return &m, nil
}

// Send prepares msg (see Prepare) and delivers it, retrying as described on
// Sender. A message without an IdempotencyKey gets a random one for this
// call. The returned error wraps the last attempt's error.
func (s *Sender) Send(ctx context.Context, msg *Message) (Result, error) {
	m, err := s.Prepare(msg)
	if err != nil {
		return Result{}, err
	}
	if m.IdempotencyKey == "" {
		m.IdempotencyKey = newIdempotencyKey()
	}
	for attempt := 1; ; attempt++ {
		res, err := s.provider.Send(ctx, m)
		if err == nil {
			return res, nil
		}
		delay, retry := s.retryDelay(ctx, err, attempt)
		if !retry {
			return Result{}, fmt.Errorf("mail: send (attempt %d): %w", attempt, err)
		}
		if serr := s.sleep(ctx, delay); serr != nil {
			return Result{}, fmt.Errorf("mail: send (attempt %d, %v while waiting to retry): %w", attempt, serr, err)
		}
	}
}

// retryDelay decides whether the failed attempt is retried and after how
// long.
func (s *Sender) retryDelay(ctx context.Context, err error, attempt int) (time.Duration, bool) {
	if attempt >= s.opts.MaxAttempts || ctx.Err() != nil || !retryable(err) {
		return 0, false
	}
	var pe *ProviderError
	if errors.As(err, &pe) && pe.RetryAfter > 0 {
		return pe.RetryAfter, pe.RetryAfter <= s.opts.MaxRetryAfter
	}
	return s.backoff(attempt), true
}

// backoff returns the jittered delay after the given failed attempt (1-based):
// between half and all of BaseDelay·2^(attempt-1), capped at MaxDelay.
func (s *Sender) backoff(attempt int) time.Duration {
	d := s.opts.MaxDelay
	if shift := attempt - 1; shift < 32 && s.opts.BaseDelay<<shift < d {
		d = s.opts.BaseDelay << shift
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// retryable reports whether err is worth another attempt: a throttled or
// failing provider, or a transport failure (safe thanks to the idempotency
// key). Context errors and rejected or invalid messages are final.
func retryable(err error) bool {
	var pe *ProviderError
	if errors.As(err, &pe) {
		return pe.Temporary()
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ue *url.Error
	return errors.As(err, &ue)
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
