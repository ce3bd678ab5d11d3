// Package notifytest is a conformance suite for notify.Sender and
// notify.TopicManager implementations, in the spirit of testing/fstest: every
// sender's tests call RunSenderTests, so the in-memory Recorder and the FCM
// sender are held to the same contract.
//
// Usage, in a sender's test file:
//
//	func TestConformance(t *testing.T) {
//		notifytest.RunSenderTests(t, func(t *testing.T) notifytest.Harness {
//			r := notify.NewRecorder()
//			return notifytest.Harness{Sender: r, Topics: r, Fail: r.FailToken}
//		})
//	}
package notifytest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/groundwork-go/groundwork/notify"
)

// Harness is one fresh sender under test.
type Harness struct {
	// Sender is the implementation under test.
	Sender notify.Sender
	// Topics is the topic manager under test; nil skips the topic tests.
	Topics notify.TopicManager
	// Fail makes every later send or topic operation for token fail with
	// err, one of notify.ErrUnregistered, notify.ErrInvalidToken or
	// notify.ErrQuotaExceeded.
	Fail func(token string, err error)
}

// RunSenderTests runs the conformance suite; newHarness is called once per
// subtest and must return an independent sender.
func RunSenderTests(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Helper()
	t.Run("RejectsInvalidMessages", func(t *testing.T) { testRejects(t, newHarness(t)) })
	t.Run("MulticastPerTokenResults", func(t *testing.T) { testMulticast(t, newHarness(t)) })
	t.Run("AllSucceed", func(t *testing.T) { testAllSucceed(t, newHarness(t)) })
	t.Run("TopicAndCondition", func(t *testing.T) { testTopic(t, newHarness(t)) })
	t.Run("CancelledContext", func(t *testing.T) { testCancelled(t, newHarness(t)) })
	t.Run("Subscriptions", func(t *testing.T) { testSubscriptions(t, newHarness(t)) })
}

func simpleMessage() *notify.Message {
	return &notify.Message{Notification: &notify.Notification{Title: "Hello", Body: "World"}, Data: map[string]string{"k": "v"}}
}

func testRejects(t *testing.T, h Harness) {
	tests := []struct {
		name    string
		to      notify.Target
		msg     *notify.Message
		wantErr error
	}{
		{"empty message", notify.ToToken("tok"), &notify.Message{}, notify.ErrInvalidMessage},
		{"no target", notify.Target{}, simpleMessage(), notify.ErrInvalidMessage},
		{"payload too large", notify.ToToken("tok"), &notify.Message{Data: map[string]string{"k": strings.Repeat("x", notify.MaxPayloadBytes)}}, notify.ErrPayloadTooLarge},
		{"bad topic", notify.ToTopic("a b"), simpleMessage(), notify.ErrInvalidMessage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := h.Sender.Send(context.Background(), tt.to, tt.msg)
			if res != nil || !errors.Is(err, tt.wantErr) {
				t.Errorf("got (%v, %v), want (nil, %v)", res, err, tt.wantErr)
			}
		})
	}
}

func testMulticast(t *testing.T, h Harness) {
	h.Fail("tok-unregistered", notify.ErrUnregistered)
	h.Fail("tok-invalid", notify.ErrInvalidToken)
	h.Fail("tok-quota", notify.ErrQuotaExceeded)
	tokens := []string{"tok-ok-1", "tok-unregistered", "tok-invalid", "tok-quota", "tok-ok-2"}
	want := []error{nil, notify.ErrUnregistered, notify.ErrInvalidToken, notify.ErrQuotaExceeded, nil}

	res, err := h.Sender.Send(context.Background(), notify.ToTokens(tokens...), simpleMessage())
	if err == nil || res == nil {
		t.Fatalf("got (%v, %v), want a result and a non-nil error", res, err)
	}
	if len(res.Tokens) != len(tokens) {
		t.Fatalf("results: got %d, want %d", len(res.Tokens), len(tokens))
	}
	for i, r := range res.Tokens {
		if r.Token != tokens[i] {
			t.Errorf("result %d: got token %q, want %q", i, r.Token, tokens[i])
		}
		if (want[i] == nil) != (r.Err == nil) || !errors.Is(r.Err, want[i]) {
			t.Errorf("%s: got %v, want %v", r.Token, r.Err, want[i])
		}
		if (r.Err == nil) != (r.MessageID != "") {
			t.Errorf("%s: got message id %q with error %v, want an id exactly on success", r.Token, r.MessageID, r.Err)
		}
	}
	if got, wantDead := res.DeadTokens(), []string{"tok-unregistered", "tok-invalid"}; !slices.Equal(got, wantDead) {
		t.Errorf("DeadTokens: got %v, want %v", got, wantDead)
	}
	if res.SuccessCount() != 2 || res.FailureCount() != 3 {
		t.Errorf("counts: got %d ok, %d failed, want 2 and 3", res.SuccessCount(), res.FailureCount())
	}
	for _, sentinel := range []error{notify.ErrUnregistered, notify.ErrInvalidToken, notify.ErrQuotaExceeded} {
		if !errors.Is(err, sentinel) {
			t.Errorf("returned error %v does not wrap %v", err, sentinel)
		}
	}
}

func testAllSucceed(t *testing.T, h Harness) {
	res, err := h.Sender.Send(context.Background(), notify.ToTokens("a", "b", "c"), simpleMessage())
	if err != nil || res.SuccessCount() != 3 || len(res.DeadTokens()) != 0 {
		t.Errorf("got (%+v, %v), want 3 successes and nil error", res, err)
	}
}

func testTopic(t *testing.T, h Harness) {
	for _, to := range []notify.Target{notify.ToTopic("news"), notify.ToCondition("'news' in topics || 'sports' in topics")} {
		res, err := h.Sender.Send(context.Background(), to, simpleMessage())
		if err != nil || res == nil || res.MessageID == "" || len(res.Tokens) != 0 {
			t.Errorf("send to %v: got (%+v, %v), want a message id and no token results", to.Kind(), res, err)
		}
	}
}

func testCancelled(t *testing.T, h Harness) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Sender.Send(ctx, notify.ToToken("tok"), simpleMessage()); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

func testSubscriptions(t *testing.T, h Harness) {
	if h.Topics == nil {
		t.Skip("no TopicManager")
	}
	h.Fail("tok-gone", notify.ErrUnregistered)
	ctx := context.Background()
	res, err := h.Topics.Subscribe(ctx, "news", []string{"tok-a", "tok-gone"})
	if !errors.Is(err, notify.ErrUnregistered) || res == nil || res.SuccessCount() != 1 {
		t.Fatalf("Subscribe: got (%+v, %v), want one success and ErrUnregistered", res, err)
	}
	if got := res.DeadTokens(); !slices.Equal(got, []string{"tok-gone"}) {
		t.Errorf("DeadTokens: got %v, want [tok-gone]", got)
	}
	if _, err := h.Topics.Unsubscribe(ctx, "news", []string{"tok-a"}); err != nil {
		t.Errorf("Unsubscribe: %v", err)
	}
	if _, err := h.Topics.Subscribe(ctx, "bad topic", []string{"tok-a"}); !errors.Is(err, notify.ErrInvalidMessage) {
		t.Errorf("bad topic: got %v, want ErrInvalidMessage", err)
	}
	if _, err := h.Topics.Subscribe(ctx, "news", nil); !errors.Is(err, notify.ErrInvalidMessage) {
		t.Errorf("no tokens: got %v, want ErrInvalidMessage", err)
	}
}
