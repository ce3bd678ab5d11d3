package brevo

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/groundwork-go/groundwork/mail/internal/fakeapi"
)

func newClient(t *testing.T, replies ...fakeapi.Reply) (*Client, *fakeapi.Server) {
	t.Helper()
	srv := fakeapi.Start(t, replies...)
	return New("xkeysib-test", Options{BaseURL: srv.URL, HTTPClient: srv.Client}), srv
}

func TestSendRequest(t *testing.T) {
	c, f := newClient(t, fakeapi.Reply{Status: http.StatusCreated, Body: `{"messageId":"<202611251200.123@smtp-relay.mailin.fr>"}`})
	email := &Email{
		Sender:      &Contact{Name: "Acme", Email: "hello@acme.test"},
		To:          []Contact{{Email: "ada@example.com", Name: "Ada"}, {Email: "bob@example.com"}},
		Cc:          []Contact{{Email: "cc@example.com"}},
		Bcc:         []Contact{{Email: "bcc@example.com"}},
		ReplyTo:     &Contact{Email: "support@acme.test"},
		Subject:     "Hi & welcome",
		HTMLContent: "<p>Hi</p>",
		TextContent: "Hi",
		Attachment:  []Attachment{{Name: "a.txt", Content: []byte("hello")}},
		Headers:     map[string]string{"X-Entity-Ref-ID": "123"},
		Tags:        []string{"welcome"},
		ScheduledAt: "2026-11-26T09:00:00.000Z",
	}
	res, err := c.Send(context.Background(), email, SendOptions{IdempotencyKey: "0b9f3c1e-3c0d-4b8e-9a57-2f1d9c1b7a44"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.MessageID, "<202611251200.123@smtp-relay.mailin.fr>"; got != want {
		t.Errorf("messageId: got %q, want %q", got, want)
	}
	wantBody := `{"sender":{"email":"hello@acme.test","name":"Acme"},` +
		`"to":[{"email":"ada@example.com","name":"Ada"},{"email":"bob@example.com"}],` +
		`"cc":[{"email":"cc@example.com"}],"bcc":[{"email":"bcc@example.com"}],` +
		`"replyTo":{"email":"support@acme.test"},"subject":"Hi & welcome",` +
		`"htmlContent":"<p>Hi</p>","textContent":"Hi",` +
		`"attachment":[{"name":"a.txt","content":"aGVsbG8="}],` +
		`"headers":{"X-Entity-Ref-ID":"123","idempotencyKey":"0b9f3c1e-3c0d-4b8e-9a57-2f1d9c1b7a44"},` +
		`"tags":["welcome"],"scheduledAt":"2026-11-26T09:00:00.000Z"}`
	f.Last(t).Expect(t, "/v3/smtp/email", wantBody, map[string]string{"Api-Key": "xkeysib-test", "Content-Type": "application/json", "Accept": "application/json"})
	if _, ok := email.Headers["idempotencyKey"]; ok {
		t.Errorf("Send modified the caller's Headers map: %v", email.Headers)
	}
}

func TestSendMinimal(t *testing.T) {
	tests := []struct {
		name, respBody, wantID string
		status                 int
	}{
		{"sent", `{"messageId":"<a@b>"}`, "<a@b>", http.StatusCreated},
		{"scheduled", `{"messageIds":["<c@d>"]}`, "<c@d>", http.StatusAccepted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, f := newClient(t, fakeapi.Reply{Status: tt.status, Body: tt.respBody})
			res, err := c.Send(context.Background(), &Email{Sender: &Contact{Email: "a@acme.test"}, To: []Contact{{Email: "b@example.com"}}, Subject: "s", TextContent: "t"}, SendOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if res.MessageID != tt.wantID {
				t.Errorf("messageId: got %q, want %q", res.MessageID, tt.wantID)
			}
			if want := `{"sender":{"email":"a@acme.test"},"to":[{"email":"b@example.com"}],"subject":"s","textContent":"t"}`; f.Last(t).Body != want {
				t.Errorf("body: got %s, want %s", f.Last(t).Body, want)
			}
		})
	}
}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		header map[string]string
		want   Error
	}{
		{
			name:   "invalid parameter",
			status: http.StatusBadRequest,
			body:   `{"code":"invalid_parameter","message":"email is not valid in to"}`,
			want:   Error{StatusCode: 400, Code: "invalid_parameter", Message: "email is not valid in to"},
		},
		{
			name:   "unauthorized",
			status: http.StatusUnauthorized,
			body:   `{"code":"unauthorized","message":"Key not found"}`,
			want:   Error{StatusCode: 401, Code: "unauthorized", Message: "Key not found"},
		},
		{
			name:   "too many requests",
			status: http.StatusTooManyRequests,
			body:   `{"code":"too_many_requests","message":"The expected rate limit is exceeded."}`,
			header: map[string]string{"Retry-After": "Wed, 25 Nov 2026 18:00:00 GMT"},
			want:   Error{StatusCode: 429, Code: "too_many_requests", Message: "The expected rate limit is exceeded.", RetryAfter: "Wed, 25 Nov 2026 18:00:00 GMT"},
		},
		{
			name:   "unavailable text",
			status: http.StatusServiceUnavailable,
			body:   "upstream connect error",
			want:   Error{StatusCode: 503, Message: "upstream connect error"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newClient(t, fakeapi.Reply{Status: tt.status, Body: tt.body, Header: tt.header})
			_, err := c.Send(context.Background(), &Email{}, SendOptions{})
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("got %T %v, want *Error", err, err)
			}
			if *got != tt.want {
				t.Errorf("got %+v, want %+v", *got, tt.want)
			}
			if strings.Contains(err.Error(), "xkeysib-test") {
				t.Errorf("error leaks the API key: %v", err)
			}
		})
	}
}
