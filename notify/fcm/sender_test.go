package fcm

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/notify"
)

func TestSendExactWireFormat(t *testing.T) {
	f := newFakeFCM(t)
	s := newTestSender(t, f, Config{})
	badge := 3
	msg := &notify.Message{
		Notification: &notify.Notification{Title: "Order shipped", Body: "On its way", ImageURL: "https://example.com/box.png"},
		Data:         map[string]string{"order_id": "42"},
		Android:      &notify.AndroidOptions{ChannelID: "orders", Color: "#112233", Sound: "default", Tag: "order-42", ClickAction: "OPEN_ORDER"},
		APNS:         &notify.APNSOptions{Badge: &badge, Sound: "default", Category: "ORDER", ThreadID: "orders", MutableContent: true},
		WebPush:      &notify.WebPushOptions{Icon: "https://example.com/icon.png", Link: "https://example.com/orders/42"},
		TTL:          time.Hour,
		Priority:     notify.PriorityHigh,
		CollapseKey:  "order-42",
	}
	res, err := s.Send(context.Background(), notify.ToToken("device-token-1"), msg)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got, want := res.Tokens[0].MessageID, "projects/groundwork-test/messages/0:1%device-token-1"; got != want {
		t.Errorf("message id: got %q, want %q", got, want)
	}
	want := `{"message":{
		"token":"device-token-1",
		"notification":{"title":"Order shipped","body":"On its way","image":"https://example.com/box.png"},
		"data":{"order_id":"42"},
		"android":{"collapse_key":"order-42","priority":"high","ttl":"3600s",
			"notification":{"channel_id":"orders","color":"#112233","sound":"default","tag":"order-42","click_action":"OPEN_ORDER"}},
		"apns":{"headers":{"apns-priority":"10","apns-push-type":"alert","apns-expiration":"1800003600","apns-collapse-id":"order-42"},
			"payload":{"aps":{"badge":3,"sound":"default","category":"ORDER","thread-id":"orders","mutable-content":1}}},
		"webpush":{"headers":{"TTL":"3600","Urgency":"high"},
			"notification":{"icon":"https://example.com/icon.png"},
			"fcm_options":{"link":"https://example.com/orders/42"}}
	}}`
	var wantBody map[string]any
	if err := json.Unmarshal([]byte(want), &wantBody); err != nil {
		t.Fatal(err)
	}
	sends := f.sends()
	if len(sends) != 1 {
		t.Fatalf("requests: got %d, want 1", len(sends))
	}
	if !reflect.DeepEqual(sends[0], wantBody) {
		got, _ := json.MarshalIndent(sends[0], "", " ")
		t.Errorf("request body:\ngot  %s\nwant %s", got, want)
	}
}

func TestSendTopicAndCondition(t *testing.T) {
	f := newFakeFCM(t)
	s := newTestSender(t, f, Config{})
	msg := &notify.Message{Data: map[string]string{"k": "v"}}
	ctx := context.Background()

	res, err := s.Send(ctx, notify.ToTopic("/topics/news"), msg)
	if err != nil || res.MessageID == "" {
		t.Fatalf("topic Send: got (%+v, %v), want a message id", res, err)
	}
	cond := "'news' in topics && 'sports' in topics"
	if _, err := s.Send(ctx, notify.ToCondition(cond), msg); err != nil {
		t.Fatalf("condition Send: %v", err)
	}
	sends := f.sends()
	if got := sends[0]["message"].(map[string]any)["topic"]; got != "news" {
		t.Errorf("topic field: got %v, want news", got)
	}
	if got := sends[1]["message"].(map[string]any)["condition"]; got != cond {
		t.Errorf("condition field: got %v, want %q", got, cond)
	}

	f.reply("news", replyQuota)
	if _, err := s.Send(ctx, notify.ToTopic("news"), msg); !errors.Is(err, notify.ErrQuotaExceeded) {
		t.Errorf("topic quota: got %v, want ErrQuotaExceeded", err)
	}
}

func TestMulticastPerTokenResults(t *testing.T) {
	f := newFakeFCM(t)
	s := newTestSender(t, f, Config{})
	f.reply("tok-unregistered", replyUnregistered)
	f.reply("tok-invalid", replyInvalidToken)
	f.reply("tok-mismatch", replyMismatch)
	quota := replyQuota
	quota.retryAfter = "30"
	f.reply("tok-quota", quota)
	f.reply("tok-badpayload", replyBadPayload)
	tokens := []string{"tok-ok-1", "tok-unregistered", "tok-invalid", "tok-mismatch", "tok-quota", "tok-badpayload", "tok-ok-2"}

	res, err := s.Send(context.Background(), notify.ToTokens(tokens...), &notify.Message{
		Notification: &notify.Notification{Title: "Hi"},
	})
	if err == nil {
		t.Fatal("got nil error with failing tokens, want the joined per-token errors")
	}
	if len(res.Tokens) != len(tokens) {
		t.Fatalf("results: got %d, want %d", len(res.Tokens), len(tokens))
	}
	wantErr := map[string]error{
		"tok-ok-1":         nil,
		"tok-unregistered": notify.ErrUnregistered,
		"tok-invalid":      notify.ErrInvalidToken,
		"tok-mismatch":     notify.ErrInvalidToken,
		"tok-quota":        notify.ErrQuotaExceeded,
		"tok-badpayload":   notify.ErrSendFailed,
		"tok-ok-2":         nil,
	}
	for i, r := range res.Tokens {
		if r.Token != tokens[i] {
			t.Errorf("result %d: got token %q, want %q", i, r.Token, tokens[i])
		}
		want := wantErr[r.Token]
		if (want == nil) != (r.Err == nil) || !errors.Is(r.Err, want) {
			t.Errorf("%s: got error %v, want %v", r.Token, r.Err, want)
		}
		if (r.Err == nil) != (r.MessageID != "") {
			t.Errorf("%s: got message id %q with error %v, want an id exactly on success", r.Token, r.MessageID, r.Err)
		}
	}
	if got, want := res.DeadTokens(), []string{"tok-unregistered", "tok-invalid", "tok-mismatch"}; !slices.Equal(got, want) {
		t.Errorf("DeadTokens: got %v, want %v", got, want)
	}
	if d, ok := notify.RetryAfter(res.Tokens[4].Err); !ok || d != 30*time.Second {
		t.Errorf("Retry-After of the quota error: got (%v, %v), want (30s, true)", d, ok)
	}
	if _, ok := notify.RetryAfter(res.Tokens[1].Err); ok {
		t.Error("Retry-After of an UNREGISTERED error: got one, want none")
	}
	if got := f.count("tok-quota"); got != 1 {
		t.Errorf("requests for a 429 QUOTA_EXCEEDED token: got %d, want 1 (not retried)", got)
	}
	if strings.Contains(err.Error(), "tok-unregistered") {
		t.Errorf("error text carries a whole token: %v", err)
	}
}

func TestRetriesOnlyUnavailable(t *testing.T) {
	f := newFakeFCM(t)
	s := newTestSender(t, f, Config{})
	// FCM answers 503 once, then accepts: the SDK retries (first retry immediately).
	f.reply("tok-flaky", replyUnavailable, fcmReply{status: 200, body: `{"name":"projects/groundwork-test/messages/1"}`})
	f.reply("tok-bad", replyBadPayload)

	res, err := s.Send(context.Background(), notify.ToTokens("tok-flaky", "tok-bad"), &notify.Message{Data: map[string]string{"k": "v"}})
	if !errors.Is(err, notify.ErrSendFailed) {
		t.Fatalf("got %v, want ErrSendFailed for tok-bad", err)
	}
	if res.Tokens[0].Err != nil || res.Tokens[0].MessageID != "projects/groundwork-test/messages/1" {
		t.Errorf("tok-flaky: got (%q, %v), want success after retry", res.Tokens[0].MessageID, res.Tokens[0].Err)
	}
	if got := f.count("tok-flaky"); got != 2 {
		t.Errorf("requests for tok-flaky: got %d, want 2", got)
	}
	if got := f.count("tok-bad"); got != 1 {
		t.Errorf("requests for a 400 token: got %d, want 1", got)
	}
}

func TestValidationBeforeSending(t *testing.T) {
	f := newFakeFCM(t)
	s := newTestSender(t, f, Config{})
	tests := []struct {
		name    string
		msg     *notify.Message
		wantErr error
	}{
		{"payload too large", &notify.Message{Data: map[string]string{"blob": strings.Repeat("x", 5000)}}, notify.ErrPayloadTooLarge},
		{"reserved data key", &notify.Message{Data: map[string]string{"google.x": "y"}}, notify.ErrInvalidMessage},
		{"empty message", &notify.Message{}, notify.ErrInvalidMessage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.Send(context.Background(), notify.ToTokens("a", "b"), tt.msg)
			if !errors.Is(err, tt.wantErr) || res != nil {
				t.Errorf("got (%v, %v), want (nil, %v)", res, err, tt.wantErr)
			}
		})
	}
	if got := len(f.sends()); got != 0 {
		t.Errorf("requests after rejected messages: got %d, want 0", got)
	}
}

func TestSendHonoursCancellation(t *testing.T) {
	f := newFakeFCM(t)
	s := newTestSender(t, f, Config{})
	f.block = make(chan struct{})
	f.arrived = make(chan struct{}, 1)
	t.Cleanup(func() { close(f.block) })

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := s.Send(ctx, notify.ToToken("tok"), &notify.Message{Data: map[string]string{"k": "v"}})
		done <- err
	}()
	select {
	case <-f.arrived: // the request reached the fake; now cancel it
	case err := <-done:
		t.Fatalf("Send returned before the request arrived: %v", err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

func TestDryRun(t *testing.T) {
	f := newFakeFCM(t)
	s := newTestSender(t, f, Config{DryRun: true})
	if _, err := s.Send(context.Background(), notify.ToToken("tok"), &notify.Message{Data: map[string]string{"k": "v"}}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got := f.sends()[0]["validate_only"]; got != true {
		t.Errorf("validate_only: got %v, want true", got)
	}
}

func TestTopicManagement(t *testing.T) {
	f := newFakeFCM(t)
	s := newTestSender(t, f, Config{})
	f.iidReply = `{"results":[{},{"error":"NOT_FOUND"},{"error":"INVALID_ARGUMENT"},{"error":"INTERNAL"}]}`
	tokens := []string{"t-ok", "t-gone", "t-bad", "t-internal"}

	res, err := s.Subscribe(context.Background(), "news", tokens)
	if err == nil {
		t.Fatal("Subscribe: got nil error with failed tokens")
	}
	if got, want := res.DeadTokens(), []string{"t-gone", "t-bad"}; !slices.Equal(got, want) {
		t.Errorf("DeadTokens: got %v, want %v", got, want)
	}
	if !errors.Is(res.Tokens[3].Err, notify.ErrSendFailed) || res.Tokens[0].Err != nil {
		t.Errorf("results: got %+v, want t-ok success and t-internal ErrSendFailed", res.Tokens)
	}

	f.iidReply = `{"results":[{}]}`
	if _, err := s.Unsubscribe(context.Background(), "/topics/news", []string{"t-ok"}); err != nil {
		t.Fatalf("Unsubscribe: %v", err)
	}
	f.mu.Lock()
	reqs := f.topicReq
	f.mu.Unlock()
	want := []map[string]any{
		{"op": "batchAdd", "to": "/topics/news", "registration_tokens": []any{"t-ok", "t-gone", "t-bad", "t-internal"}},
		{"op": "batchRemove", "to": "/topics/news", "registration_tokens": []any{"t-ok"}},
	}
	if !reflect.DeepEqual(reqs, want) {
		t.Errorf("topic requests: got %v, want %v", reqs, want)
	}
	if _, err := s.Subscribe(context.Background(), "bad topic!", []string{"t"}); !errors.Is(err, notify.ErrInvalidMessage) {
		t.Errorf("bad topic: got %v, want ErrInvalidMessage", err)
	}
}

func TestAPNSPushTypeAndPriority(t *testing.T) {
	badge := 1
	note := &notify.Notification{Title: "Hi"}
	data := map[string]string{"k": "v"}
	tests := []struct {
		name     string
		msg      notify.Message
		wantAPNS string
	}{
		{"content-available only",
			notify.Message{APNS: &notify.APNSOptions{ContentAvailable: true}},
			`{"headers":{"apns-priority":"5","apns-push-type":"background"},"payload":{"aps":{"content-available":1}}}`},
		{"content-available only, high priority",
			notify.Message{APNS: &notify.APNSOptions{ContentAvailable: true}, Priority: notify.PriorityHigh},
			`{"headers":{"apns-priority":"5","apns-push-type":"background"},"payload":{"aps":{"content-available":1}}}`},
		{"content-available only, priority 10 header",
			notify.Message{Data: data, APNS: &notify.APNSOptions{ContentAvailable: true, Headers: map[string]string{"apns-priority": "10"}}},
			`{"headers":{"apns-priority":"5","apns-push-type":"background"},"payload":{"aps":{"content-available":1}}}`},
		{"content-available only, priority 1 header",
			notify.Message{APNS: &notify.APNSOptions{ContentAvailable: true, Headers: map[string]string{"apns-priority": "1"}}},
			`{"headers":{"apns-priority":"1","apns-push-type":"background"},"payload":{"aps":{"content-available":1}}}`},
		{"data only, high priority",
			notify.Message{Data: data, Priority: notify.PriorityHigh},
			`{"headers":{"apns-priority":"5","apns-push-type":"background"},"payload":{"aps":{"content-available":1}}}`},
		{"notification",
			notify.Message{Notification: note},
			`{"headers":{"apns-priority":"10","apns-push-type":"alert"}}`},
		{"notification, normal priority",
			notify.Message{Notification: note, Priority: notify.PriorityNormal},
			`{"headers":{"apns-priority":"5","apns-push-type":"alert"}}`},
		{"notification and content-available",
			notify.Message{Notification: note, APNS: &notify.APNSOptions{ContentAvailable: true}},
			`{"headers":{"apns-priority":"10","apns-push-type":"alert"},"payload":{"aps":{"content-available":1}}}`},
		{"badge and content-available",
			notify.Message{APNS: &notify.APNSOptions{ContentAvailable: true, Badge: &badge}},
			`{"headers":{"apns-priority":"10","apns-push-type":"alert"},"payload":{"aps":{"badge":1,"content-available":1}}}`},
		{"push type from the headers",
			notify.Message{Data: data, APNS: &notify.APNSOptions{Headers: map[string]string{"apns-push-type": "voip"}}},
			`{"headers":{"apns-push-type":"voip"},"payload":{"aps":{}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeFCM(t)
			s := newTestSender(t, f, Config{})
			if _, err := s.Send(context.Background(), notify.ToToken("tok"), &tt.msg); err != nil {
				t.Fatalf("Send: got %v, want nil", err)
			}
			var want any
			if err := json.Unmarshal([]byte(tt.wantAPNS), &want); err != nil {
				t.Fatal(err)
			}
			got := f.sends()[0]["message"].(map[string]any)["apns"]
			if !reflect.DeepEqual(got, want) {
				gotJSON, _ := json.Marshal(got)
				t.Errorf("apns: got %s, want %s", gotJSON, tt.wantAPNS)
			}
		})
	}
}
