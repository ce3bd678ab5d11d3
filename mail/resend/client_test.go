package resend

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
	return New("re_test_key", Options{BaseURL: srv.URL + "/", HTTPClient: srv.Client}), srv
}

func TestSendRequest(t *testing.T) {
	c, f := newClient(t, fakeapi.Reply{Status: http.StatusOK, Body: `{"id":"49a3999c-0ce1-4ea6-ab68-afcd6dc2e794"}`})
	email := &Email{
		From:        "Acme <hello@acme.test>",
		To:          []string{"ada@example.com", "Bob <bob@example.com>"},
		Subject:     "Hi & welcome",
		Cc:          []string{"cc@example.com"},
		Bcc:         []string{"bcc@example.com"},
		ReplyTo:     []string{"support@acme.test"},
		HTML:        "<p>Hi</p>",
		Text:        "Hi",
		Headers:     map[string]string{"X-Entity-Ref-ID": "123"},
		Attachments: []Attachment{{Filename: "a.txt", Content: []byte("hello"), ContentType: "text/plain"}},
		Tags:        []Tag{{Name: "category", Value: "welcome"}},
		ScheduledAt: "2026-11-26T09:00:00Z",
	}
	res, err := c.Send(context.Background(), email, SendOptions{IdempotencyKey: "welcome/42"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.ID, "49a3999c-0ce1-4ea6-ab68-afcd6dc2e794"; got != want {
		t.Errorf("id: got %q, want %q", got, want)
	}
	wantBody := `{"from":"Acme <hello@acme.test>","to":["ada@example.com","Bob <bob@example.com>"],` +
		`"subject":"Hi & welcome","cc":["cc@example.com"],"bcc":["bcc@example.com"],` +
		`"reply_to":["support@acme.test"],"html":"<p>Hi</p>","text":"Hi",` +
		`"headers":{"X-Entity-Ref-ID":"123"},` +
		`"attachments":[{"filename":"a.txt","content":"aGVsbG8=","content_type":"text/plain"}],` +
		`"tags":[{"name":"category","value":"welcome"}],"scheduled_at":"2026-11-26T09:00:00Z"}`
	f.Last(t).Expect(t, "/emails", wantBody, map[string]string{"Authorization": "Bearer re_test_key", "Idempotency-Key": "welcome/42", "Content-Type": "application/json"})
}

func TestSendMinimalOmitsOptionalFields(t *testing.T) {
	c, f := newClient(t, fakeapi.Reply{Status: http.StatusOK, Body: `{"id":"x"}`})
	_, err := c.Send(context.Background(), &Email{From: "a@acme.test", To: []string{"b@example.com"}, Subject: "s", Text: "t"}, SendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"from":"a@acme.test","to":["b@example.com"],"subject":"s","text":"t"}`; f.Last(t).Body != want {
		t.Errorf("body: got %s, want %s", f.Last(t).Body, want)
	}
	if _, ok := f.Last(t).Header["Idempotency-Key"]; ok {
		t.Errorf("Idempotency-Key: got %q, want no header", f.Last(t).Header.Get("Idempotency-Key"))
	}
}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		body       string
		header     map[string]string
		want       Error
		wantString string
	}{
		{
			name:   "validation",
			status: http.StatusUnprocessableEntity,
			body:   `{"statusCode":422,"name":"validation_error","message":"Invalid ` + "`to`" + ` field."}`,
			want:   Error{StatusCode: 422, Name: "validation_error", Message: "Invalid `to` field."},
		},
		{
			name:   "rate limited",
			status: http.StatusTooManyRequests,
			body:   `{"statusCode":429,"name":"rate_limit_exceeded","message":"Too many requests."}`,
			header: map[string]string{"Retry-After": "2"},
			want:   Error{StatusCode: 429, Name: "rate_limit_exceeded", Message: "Too many requests.", RetryAfter: "2"},
		},
		{
			name:   "invalid key",
			status: http.StatusForbidden,
			body:   `{"statusCode":403,"name":"invalid_api_key","message":"API key is invalid"}`,
			want:   Error{StatusCode: 403, Name: "invalid_api_key", Message: "API key is invalid"},
		},
		{
			name:   "gateway html",
			status: http.StatusBadGateway,
			body:   `<html>bad gateway</html>`,
			want:   Error{StatusCode: 502, Message: "<html>bad gateway</html>"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newClient(t, fakeapi.Reply{Status: tt.status, Body: tt.body, Header: tt.header})
			_, err := c.Send(context.Background(), &Email{From: "a@acme.test", To: []string{"b@example.com"}, Subject: "s", Text: "t"}, SendOptions{})
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("got %T %v, want *Error", err, err)
			}
			if *got != tt.want {
				t.Errorf("got %+v, want %+v", *got, tt.want)
			}
			if strings.Contains(err.Error(), "re_test_key") {
				t.Errorf("error leaks the API key: %v", err)
			}
		})
	}
}

func TestSendBadSuccessBody(t *testing.T) {
	c, _ := newClient(t, fakeapi.Reply{Status: http.StatusOK, Body: `not json`})
	_, err := c.Send(context.Background(), &Email{}, SendOptions{})
	if err == nil || !strings.Contains(err.Error(), "decode response") {
		t.Errorf("got %v, want a decode error", err)
	}
}
