package notify

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	note := &Notification{Title: "Hi", Body: "There"}
	badge := -1
	tokens := make([]string, MaxTokens+1)
	for i := range tokens {
		tokens[i] = strings.Repeat("t", 10) + string(rune('a'+i%26)) + strings.Repeat("x", i/26)
	}
	tests := []struct {
		name    string
		to      Target
		msg     *Message
		wantErr error
	}{
		{"token with notification", ToToken("tok"), &Message{Notification: note}, nil},
		{"data only", ToToken("tok"), &Message{Data: map[string]string{"k": "v"}}, nil},
		{"silent push", ToToken("tok"), &Message{APNS: &APNSOptions{ContentAvailable: true}}, nil},
		{"500 tokens", ToTokens(tokens[:MaxTokens]...), &Message{Notification: note}, nil},
		{"topic", ToTopic("news"), &Message{Notification: note}, nil},
		{"topic with prefix", ToTopic("/topics/news-1_a.b~c%20"), &Message{Notification: note}, nil},
		{"condition", ToCondition("'a' in topics && ('b' in topics || 'c' in topics)"), &Message{Notification: note}, nil},
		{"full options", ToToken("tok"), &Message{
			Notification: &Notification{Title: "t", ImageURL: "https://example.com/i.png"},
			Android:      &AndroidOptions{Color: "#a0B1c2"},
			WebPush:      &WebPushOptions{Link: "https://example.com/"},
			TTL:          MaxTTL, Priority: PriorityHigh, CollapseKey: "k",
		}, nil},

		{"zero target", Target{}, &Message{Notification: note}, ErrInvalidMessage},
		{"nil message", ToToken("tok"), nil, ErrInvalidMessage},
		{"empty message", ToToken("tok"), &Message{}, ErrInvalidMessage},
		{"no tokens", ToTokens(), &Message{Notification: note}, ErrInvalidMessage},
		{"empty token", ToTokens("a", " "), &Message{Notification: note}, ErrInvalidMessage},
		{"repeated token", ToTokens("a", "a"), &Message{Notification: note}, ErrInvalidMessage},
		{"501 tokens", ToTokens(tokens...), &Message{Notification: note}, ErrInvalidMessage},
		{"bad topic", ToTopic("no spaces"), &Message{Notification: note}, ErrInvalidMessage},
		{"condition without topics", ToCondition("true"), &Message{Notification: note}, ErrInvalidMessage},
		{"condition with six topics", ToCondition("'a' in topics || 'b' in topics || 'c' in topics || 'd' in topics || 'e' in topics || 'f' in topics"), &Message{Notification: note}, ErrInvalidMessage},
		{"reserved key from", ToToken("tok"), &Message{Data: map[string]string{"from": "x"}}, ErrInvalidMessage},
		{"reserved prefix google", ToToken("tok"), &Message{Data: map[string]string{"google.c": "x"}}, ErrInvalidMessage},
		{"reserved prefix gcm", ToToken("tok"), &Message{Data: map[string]string{"gcm.n": "x"}}, ErrInvalidMessage},
		{"negative TTL", ToToken("tok"), &Message{Notification: note, TTL: -time.Second}, ErrInvalidMessage},
		{"TTL too long", ToToken("tok"), &Message{Notification: note, TTL: MaxTTL + time.Second}, ErrInvalidMessage},
		{"bad priority", ToToken("tok"), &Message{Notification: note, Priority: 7}, ErrInvalidMessage},
		{"relative image", ToToken("tok"), &Message{Notification: &Notification{ImageURL: "/i.png"}}, ErrInvalidMessage},
		{"bad color", ToToken("tok"), &Message{Notification: note, Android: &AndroidOptions{Color: "red"}}, ErrInvalidMessage},
		{"negative badge", ToToken("tok"), &Message{Notification: note, APNS: &APNSOptions{Badge: &badge}}, ErrInvalidMessage},
		{"http web link", ToToken("tok"), &Message{Notification: note, WebPush: &WebPushOptions{Link: "http://example.com"}}, ErrInvalidMessage},
		{"payload too large", ToToken("tok"), &Message{Data: map[string]string{"blob": strings.Repeat("x", MaxPayloadBytes)}}, ErrPayloadTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.to, tt.msg)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("got %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil && !errors.Is(err, ErrInvalidMessage) {
				t.Errorf("got %v, want it to wrap ErrInvalidMessage", err)
			}
		})
	}
}

func TestPayloadSizeBoundary(t *testing.T) {
	base := &Message{Data: map[string]string{"k": ""}}
	overhead := PayloadSize(base) // {"data":{"k":""}}
	if overhead != len(`{"data":{"k":""}}`) {
		t.Fatalf("PayloadSize of empty value: got %d, want %d", overhead, len(`{"data":{"k":""}}`))
	}
	fits := &Message{Data: map[string]string{"k": strings.Repeat("x", MaxPayloadBytes-overhead)}}
	if err := Validate(ToToken("t"), fits); err != nil {
		t.Errorf("payload of exactly %d bytes: got %v, want nil", PayloadSize(fits), err)
	}
	over := &Message{Data: map[string]string{"k": strings.Repeat("x", MaxPayloadBytes-overhead+1)}}
	if err := Validate(ToToken("t"), over); !errors.Is(err, ErrPayloadTooLarge) {
		t.Errorf("payload of %d bytes: got %v, want ErrPayloadTooLarge", PayloadSize(over), err)
	}
}
