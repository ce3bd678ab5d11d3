package mail

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestParseAddress(t *testing.T) {
	tests := []struct {
		in      string
		want    Address
		wantErr bool
	}{
		{"ada@example.com", Address{Email: "ada@example.com"}, false},
		{"Ada Lovelace <ada@example.com>", Address{Name: "Ada Lovelace", Email: "ada@example.com"}, false},
		{`"Lovelace, Ada" <ada@example.com>`, Address{Name: "Lovelace, Ada", Email: "ada@example.com"}, false},
		{"not an address", Address{}, true},
	}
	for _, tt := range tests {
		got, err := ParseAddress(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseAddress(%q): got %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestAddressString(t *testing.T) {
	tests := []struct {
		in   Address
		want string
	}{
		{Address{Email: "ada@example.com"}, "ada@example.com"},
		{Address{Name: "Ada", Email: "ada@example.com"}, `"Ada" <ada@example.com>`},
		{Address{Name: "Zoë", Email: "z@example.com"}, "=?utf-8?q?Zo=C3=AB?= <z@example.com>"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("%+v: got %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestAddressesHelper(t *testing.T) {
	l, err := Addresses("a@example.com", "B <b@example.com>")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := l.Strings(), []string{"a@example.com", `"B" <b@example.com>`}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := Addresses("a@example.com", "bad"); err == nil {
		t.Error("got nil error, want a parse error")
	}
}

func TestMessageJSONNormalisesRecipients(t *testing.T) {
	tests := []struct {
		name, json string
		want       AddressList
	}{
		{"single string", `{"to":"Ada <ada@example.com>"}`, AddressList{{Name: "Ada", Email: "ada@example.com"}}},
		{"single object", `{"to":{"email":"ada@example.com","name":"Ada"}}`, AddressList{{Name: "Ada", Email: "ada@example.com"}}},
		{"mixed list", `{"to":["a@example.com",{"email":"b@example.com"}]}`, AddressList{{Email: "a@example.com"}, {Email: "b@example.com"}}},
		{"null", `{"to":null}`, nil},
		{"unparseable kept for validation", `{"to":"  not an address "}`, AddressList{{Email: "not an address"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m Message
			if err := json.Unmarshal([]byte(tt.json), &m); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(m.To, tt.want) {
				t.Errorf("got %+v, want %+v", m.To, tt.want)
			}
		})
	}
}

func TestMessageJSONRoundTripAndValidation(t *testing.T) {
	in := `{"from":"Acme <hello@acme.test>","to":"bad-address","subject":"Hi","html":"<p>x</p>",` +
		`"reply_to":"help@acme.test","scheduled_at":"2026-11-26T09:00:00Z","attachments":[{"filename":"a.txt","content":"aGVsbG8="}]}`
	var m Message
	if err := json.Unmarshal([]byte(in), &m); err != nil {
		t.Fatal(err)
	}
	if got, want := string(m.Attachments[0].Content), "hello"; got != want {
		t.Errorf("attachment: got %q, want %q", got, want)
	}
	if got, want := m.ScheduledAt, time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("scheduled_at: got %v, want %v", got, want)
	}
	if got, want := *m.ReplyTo, (Address{Email: "help@acme.test"}); got != want {
		t.Errorf("reply_to: got %+v, want %+v", got, want)
	}
	err := m.Validate()
	var verr *ValidationError
	if !errors.As(err, &verr) || len(verr.Problems) != 1 || verr.Problems[0].Field != "to[0].email" {
		t.Errorf("got %v, want one problem on to[0].email", err)
	}
	if _, err := json.Marshal(m); err != nil {
		t.Errorf("marshal: %v", err)
	}
	var bad Message
	if err := json.Unmarshal([]byte(`{"to":[1]}`), &bad); err == nil {
		t.Error("got nil error for a numeric address, want a decode error")
	}
}
