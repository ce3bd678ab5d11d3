package notify

import (
	"context"
	"errors"
	"slices"
	"testing"
)

func TestRecorderSend(t *testing.T) {
	r := NewRecorder()
	r.FailToken("dead", ErrUnregistered)
	r.FailToken("bad", ErrInvalidToken)
	r.FailToken("busy", ErrQuotaExceeded)
	ctx := context.Background()
	msg := &Message{Notification: &Notification{Title: "Hi"}, Data: map[string]string{"k": "v"}}

	res, err := r.Send(ctx, ToTokens("ok1", "dead", "bad", "busy", "ok2"), msg)
	if err == nil {
		t.Fatal("got nil error with failing tokens, want joined error")
	}
	if !errors.Is(err, ErrUnregistered) || !errors.Is(err, ErrQuotaExceeded) {
		t.Errorf("got %v, want it to wrap ErrUnregistered and ErrQuotaExceeded", err)
	}
	if got, want := res.DeadTokens(), []string{"dead", "bad"}; !slices.Equal(got, want) {
		t.Errorf("DeadTokens: got %v, want %v", got, want)
	}
	if res.SuccessCount() != 2 || res.FailureCount() != 3 {
		t.Errorf("counts: got %d/%d, want 2/3", res.SuccessCount(), res.FailureCount())
	}
	if res.Tokens[0].MessageID == "" || res.Tokens[1].MessageID != "" {
		t.Errorf("message ids: got %q and %q, want one for success only", res.Tokens[0].MessageID, res.Tokens[1].MessageID)
	}

	msg.Data["k"] = "changed after send"
	d := r.Deliveries()
	if len(d) != 1 || d[0].Message.Data["k"] != "v" {
		t.Errorf("recorded delivery: got %+v, want one copy with data k=v", d)
	}

	r.FailToken("dead", nil)
	if res, err := r.Send(ctx, ToToken("dead"), msg); err != nil || res.SuccessCount() != 1 {
		t.Errorf("after clearing failure: got (%v, %v), want success", res, err)
	}
	if res, err := r.Send(ctx, ToTopic("news"), msg); err != nil || res.MessageID == "" {
		t.Errorf("topic send: got (%+v, %v), want a message id", res, err)
	}
	if _, err := r.Send(ctx, ToToken("x"), &Message{}); !errors.Is(err, ErrInvalidMessage) {
		t.Errorf("invalid message: got %v, want ErrInvalidMessage", err)
	}
	if got := len(r.Deliveries()); got != 3 {
		t.Errorf("deliveries: got %d, want 3 (invalid message not recorded)", got)
	}

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := r.Send(cctx, ToToken("x"), msg); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v, want context.Canceled", err)
	}
}

func TestRecorderTopics(t *testing.T) {
	r := NewRecorder()
	r.FailToken("bad", ErrInvalidToken)
	ctx := context.Background()

	res, err := r.Subscribe(ctx, "/topics/news", []string{"b", "a", "bad"})
	if !errors.Is(err, ErrInvalidToken) || res.SuccessCount() != 2 {
		t.Errorf("Subscribe: got (%d ok, %v), want (2 ok, ErrInvalidToken)", res.SuccessCount(), err)
	}
	if got, want := r.Subscribers("news"), []string{"a", "b"}; !slices.Equal(got, want) {
		t.Errorf("Subscribers: got %v, want %v", got, want)
	}
	if _, err := r.Unsubscribe(ctx, "news", []string{"a"}); err != nil {
		t.Errorf("Unsubscribe: %v", err)
	}
	if got, want := r.Subscribers("news"), []string{"b"}; !slices.Equal(got, want) {
		t.Errorf("Subscribers after unsubscribe: got %v, want %v", got, want)
	}
	if _, err := r.Subscribe(ctx, "bad topic", []string{"a"}); !errors.Is(err, ErrInvalidMessage) {
		t.Errorf("bad topic: got %v, want ErrInvalidMessage", err)
	}
	r.Reset()
	if len(r.Subscribers("news")) != 0 || len(r.Deliveries()) != 0 {
		t.Error("Reset: state left behind")
	}
}

func TestShortToken(t *testing.T) {
	tests := []struct{ in, want string }{{"abc", "abc"}, {"abcdefghijk", "abcdefgh…"}}
	for _, tt := range tests {
		if got := ShortToken(tt.in); got != tt.want {
			t.Errorf("ShortToken(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}
