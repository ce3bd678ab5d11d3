package mail

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func validMessage() *Message {
	return &Message{
		From:    Address{Name: "Acme", Email: "hello@acme.test"},
		To:      AddressList{{Email: "ada@example.com"}},
		Subject: "Hello",
		Text:    "Hi Ada",
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(m *Message)
		want   []string // "field message" of every problem, in order
	}{
		{"valid text", func(m *Message) {}, nil},
		{"valid template", func(m *Message) { m.Text, m.Subject, m.Template, m.Data = "", "", "welcome", welcomeData{} }, nil},
		{"valid everything", func(m *Message) {
			m.HTML = "<p>Hi</p>"
			m.Cc = AddressList{{Email: "c@example.com"}}
			m.Bcc = AddressList{{Email: "b@example.com"}}
			m.ReplyTo = &Address{Email: "r@example.com"}
			m.Attachments = []Attachment{{Filename: "a.pdf", ContentType: "application/pdf", Content: []byte("%PDF")}}
			m.Headers = map[string]string{"X-Entity-Ref-ID": "42", "List-Unsubscribe": "<mailto:u@acme.test>"}
			m.Tags = []Tag{{Name: "category", Value: "welcome_1"}}
			m.IdempotencyKey = "welcome/42"
		}, nil},
		{"no recipients, no from", func(m *Message) { m.From, m.To = Address{}, nil }, []string{
			"from.email is required", "to needs at least 1 item(s)",
		}},
		{"bad addresses", func(m *Message) {
			m.To = AddressList{{Email: "ada@example.com"}, {Email: "not-an-address"}}
			m.Cc = AddressList{{Email: "x@example.com", Name: "Evil\r\nBcc: victim@example.com"}}
			m.ReplyTo = &Address{Email: "nope"}
		}, []string{
			"to[1].email is not a valid email address",
			"cc[0].name must not contain CR or LF",
			"reply_to.email is not a valid email address",
		}},
		{"too many recipients", func(m *Message) { m.To = make(AddressList, 51); fill(m.To) }, []string{"to has more than 50 items"}},
		{"no body", func(m *Message) { m.Text = "" }, []string{"html is required: set template, html or text"}},
		{"both forms", func(m *Message) { m.Template = "welcome" }, []string{"template cannot be combined with html or text: use one form"}},
		{"no subject", func(m *Message) { m.Subject = "" }, []string{"subject is required without a template"}},
		{"subject injection", func(m *Message) { m.Subject = "Hi\nBcc: x@example.com" }, []string{"subject must not contain CR or LF"}},
		{"data without template", func(m *Message) { m.Data = map[string]string{} }, []string{"data is only used with a template"}},
		{"header injection", func(m *Message) {
			m.Headers = map[string]string{"X-Ok": "a\r\nBcc: victim@example.com"}
		}, []string{"headers[X-Ok] must not contain CR or LF"}},
		{"bad header names", func(m *Message) {
			m.Headers = map[string]string{"Bad Name": "v"}
		}, []string{"headers[Bad Name] is not an allowed header name"}},
		{"reserved header", func(m *Message) {
			m.Headers = map[string]string{"bcc": "victim@example.com"}
		}, []string{"headers[bcc] is not an allowed header name"}},
		{"bad attachments", func(m *Message) {
			m.Attachments = []Attachment{
				{Filename: "", Content: []byte("x")},
				{Filename: "../etc/passwd", Content: []byte("x")},
				{Filename: "a.bin", ContentType: "not a type", Content: nil},
			}
		}, []string{
			"attachments[0].filename is required",
			"attachments[1].filename must not contain any of /\\",
			"attachments[2].content_type is not a valid media type",
			"attachments[2].content needs at least 1 item(s)",
		}},
		{"attachments too large", func(m *Message) {
			big := bytes.Repeat([]byte("x"), MaxAttachmentBytes/2+1)
			m.Attachments = []Attachment{{Filename: "a", Content: big}, {Filename: "b", Content: big}}
		}, []string{"attachments total 10485762 bytes exceeds 10485760"}},
		{"bad tags", func(m *Message) { m.Tags = []Tag{{Name: "has space", Value: "ok"}, {Name: "", Value: "ü"}} }, []string{
			"tags[0].name may contain only ASCII letters, digits, _ and -",
			"tags[1].name is required",
			"tags[1].value may contain only ASCII letters, digits, _ and -",
		}},
		{"idempotency key too long", func(m *Message) { m.IdempotencyKey = strings.Repeat("k", 257) }, []string{
			"idempotency_key is longer than 256 characters",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := validMessage()
			tt.modify(m)
			err := m.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("got %v, want *ValidationError", err)
			}
			if !errors.Is(err, ErrInvalidMessage) {
				t.Errorf("errors.Is(err, ErrInvalidMessage): got false, want true")
			}
			var got []string
			for _, p := range verr.Problems {
				got = append(got, p.Field+" "+p.Message)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\ngot  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func fill(l AddressList) {
	for i := range l {
		l[i] = Address{Email: "r@example.com"}
	}
}

func TestValidationErrorMessage(t *testing.T) {
	m := validMessage()
	m.To, m.Subject = nil, ""
	err := m.Validate()
	want := "mail: invalid message: to needs at least 1 item(s); subject is required without a template"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}
