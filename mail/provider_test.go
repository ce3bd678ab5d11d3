package mail

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/mail/internal/fakeapi"
)

// fullMessage uses every field a provider maps.
func fullMessage() *Message {
	return &Message{
		From:           Address{Name: "Acme", Email: "hello@acme.test"},
		To:             AddressList{{Name: "Ada", Email: "ada@example.com"}, {Email: "bob@example.com"}},
		Cc:             AddressList{{Email: "cc@example.com"}},
		Bcc:            AddressList{{Email: "bcc@example.com"}},
		ReplyTo:        &Address{Email: "support@acme.test"},
		Subject:        "Your invoice",
		HTML:           "<p>Attached.</p>",
		Text:           "Attached.",
		Attachments:    []Attachment{{Filename: "invoice.pdf", ContentType: "application/pdf", Content: []byte("%PDF-1.7")}},
		Headers:        map[string]string{"X-Entity-Ref-ID": "inv-42"},
		Tags:           []Tag{{Name: "category", Value: "billing"}, {Name: "urgent"}},
		ScheduledAt:    time.Date(2026, 11, 26, 10, 30, 0, 0, time.FixedZone("CET", 3600)),
		IdempotencyKey: "invoice/42",
	}
}

func TestResendProviderWire(t *testing.T) {
	srv := fakeapi.Start(t, resendOK)
	res, err := resendProvider(srv).Send(context.Background(), fullMessage())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.ID, "49a3999c-0ce1-4ea6-ab68-afcd6dc2e794"; got != want {
		t.Errorf("id: got %q, want %q", got, want)
	}
	req := srv.Last(t)
	want := `{"from":"\"Acme\" <hello@acme.test>","to":["\"Ada\" <ada@example.com>","bob@example.com"],` +
		`"subject":"Your invoice","cc":["cc@example.com"],"bcc":["bcc@example.com"],"reply_to":["support@acme.test"],` +
		`"html":"<p>Attached.</p>","text":"Attached.","headers":{"X-Entity-Ref-ID":"inv-42"},` +
		`"attachments":[{"filename":"invoice.pdf","content":"JVBERi0xLjc=","content_type":"application/pdf"}],` +
		`"tags":[{"name":"category","value":"billing"},{"name":"urgent"}],"scheduled_at":"2026-11-26T09:30:00Z"}`
	req.Expect(t, "/emails", want, map[string]string{"Authorization": "Bearer re_secret", "Idempotency-Key": "invoice/42", "Content-Type": "application/json"})
}

func TestBrevoProviderWire(t *testing.T) {
	srv := fakeapi.Start(t, brevoOK)
	res, err := brevoProvider(srv).Send(context.Background(), fullMessage())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.ID, "<202611251200.42@smtp-relay.mailin.fr>"; got != want {
		t.Errorf("id: got %q, want %q", got, want)
	}
	req := srv.Last(t)
	key := uuidKey("invoice/42")
	want := `{"sender":{"email":"hello@acme.test","name":"Acme"},` +
		`"to":[{"email":"ada@example.com","name":"Ada"},{"email":"bob@example.com"}],` +
		`"cc":[{"email":"cc@example.com"}],"bcc":[{"email":"bcc@example.com"}],"replyTo":{"email":"support@acme.test"},` +
		`"subject":"Your invoice","htmlContent":"<p>Attached.</p>","textContent":"Attached.",` +
		`"attachment":[{"name":"invoice.pdf","content":"JVBERi0xLjc="}],` +
		`"headers":{"X-Entity-Ref-ID":"inv-42","idempotencyKey":"` + key + `"},` +
		`"tags":["category:billing","urgent"],"scheduledAt":"2026-11-26T09:30:00.000Z"}`
	req.Expect(t, "/v3/smtp/email", want, map[string]string{"Api-Key": "xkeysib-secret"})
}

func TestProviderErrors(t *testing.T) {
	tests := []struct {
		name     string
		provider func(*fakeapi.Server) Provider
		reply    fakeapi.Reply
		want     ProviderError
		sentinel error
	}{
		{"resend 422", resendProvider, resendValidation,
			ProviderError{Provider: "resend", StatusCode: 422, Code: "validation_error", Message: "The gmail.com domain is not verified."}, ErrRejected},
		{"resend 429", resendProvider, resendRateLimited,
			ProviderError{Provider: "resend", StatusCode: 429, Code: "rate_limit_exceeded", Message: "Too many requests. You can only make 2 requests per second.", RetryAfter: 7 * time.Second}, ErrUnavailable},
		{"brevo 400", brevoProvider, brevoBadRequest,
			ProviderError{Provider: "brevo", StatusCode: 400, Code: "invalid_parameter", Message: "sender is invalid / inactive"}, ErrRejected},
		{"brevo 503", brevoProvider, brevoUnavailable,
			ProviderError{Provider: "brevo", StatusCode: 503, Code: "service_unavailable", Message: "Service temporarily unavailable"}, ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.provider(fakeapi.Start(t, tt.reply)).Send(context.Background(), validMessage())
			var pe *ProviderError
			if !errors.As(err, &pe) {
				t.Fatalf("got %T %v, want *ProviderError", err, err)
			}
			if *pe != tt.want {
				t.Errorf("got %+v, want %+v", *pe, tt.want)
			}
			if !errors.Is(err, tt.sentinel) {
				t.Errorf("errors.Is(%v, %v): got false, want true", err, tt.sentinel)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"5", 5 * time.Second},
		{"0", 0},
		{"-3", 0},
		{"soon", 0},
		{"Wed, 25 Nov 2026 18:00:30 GMT", 30 * time.Second},
		{"Wed, 25 Nov 2026 17:59:00 GMT", 0},
		{"99999999", 0},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q): got %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestUUIDKeys(t *testing.T) {
	k := newIdempotencyKey()
	if !isUUID(k) || k[14] != '4' {
		t.Errorf("newIdempotencyKey: got %q, want a version 4 UUID", k)
	}
	if got := uuidKey(k); got != k {
		t.Errorf("uuidKey(uuid): got %q, want it unchanged", got)
	}
	a, b := uuidKey("welcome/john"), uuidKey("welcome/john")
	if a != b || !isUUID(a) || a[14] != '8' {
		t.Errorf("uuidKey: got %q and %q, want one stable version 8 UUID", a, b)
	}
	if uuidKey("welcome/jane") == a {
		t.Error("uuidKey: different keys gave the same UUID")
	}
	for _, s := range []string{"", "0b9f3c1e-3c0d-4b8e-9a57-2f1d9c1b7a4", "0b9f3c1e+3c0d-4b8e-9a57-2f1d9c1b7a44", "0b9f3c1e-3c0d-4b8e-9a57-2f1d9c1b7a4g"} {
		if isUUID(s) {
			t.Errorf("isUUID(%q): got true, want false", s)
		}
	}
}
