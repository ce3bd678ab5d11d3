package fcm

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const testProject = "groundwork-test"

// fcmReply is a canned FCM answer: an HTTP status and a JSON body.
type fcmReply struct {
	status     int
	body       string
	retryAfter string // Retry-After header, empty for none
}

// fcmError returns the error body FCM v1 sends: a google.rpc.Status with an
// FcmError detail.
func fcmError(code int, status, errorCode, message string) fcmReply {
	return fcmReply{status: code, body: fmt.Sprintf(`{"error":{"code":%d,"message":%q,"status":%q,"details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":%q}]}}`,
		code, message, status, errorCode)}
}

var (
	replyUnregistered = fcmError(404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found.")
	replyInvalidToken = fcmError(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token")
	replyBadPayload   = fcmError(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "Invalid value at 'message.data[0].value' (TYPE_STRING)")
	replyMismatch     = fcmError(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH", "SenderId mismatch")
	replyQuota        = fcmError(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", "Quota exceeded for quota metric 'Send requests'.")
	replyUnavailable  = fcmError(503, "UNAVAILABLE", "UNAVAILABLE", "The service is currently unavailable.")
)

// fakeFCM speaks FCM's HTTP v1 send API and the Instance ID topic API.
type fakeFCM struct {
	*httptest.Server
	t *testing.T

	mu        sync.Mutex
	requests  []map[string]any // decoded send bodies, in arrival order
	topicReq  []map[string]any
	replies   map[string][]fcmReply // per target: replies to use in order; the last repeats
	perToken  map[string]int        // send requests per target
	iidReply  string                // fixed topic API answer; when empty, computed from topicFail
	topicFail map[string]string     // per-token topic API error reasons
	block     chan struct{}         // when non-nil, sends wait for it to close
	arrived   chan struct{}         // when non-nil, receives one value per blocked send
}

func newFakeFCM(t *testing.T) *fakeFCM {
	t.Helper()
	f := &fakeFCM{t: t, replies: map[string][]fcmReply{}, perToken: map[string]int{}, topicFail: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/projects/{project}/messages:send", f.serveSend)
	mux.HandleFunc("POST /iid/v1:batchAdd", f.serveTopic)
	mux.HandleFunc("POST /iid/v1:batchRemove", f.serveTopic)
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

// reply makes sends to target (a token, topic or condition) answer with replies in turn.
func (f *fakeFCM) reply(target string, replies ...fcmReply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.replies[target] = replies
}

// count returns how many send requests target received.
func (f *fakeFCM) count(target string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.perToken[target]
}

// sends returns the decoded send bodies received so far.
func (f *fakeFCM) sends() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.requests...)
}

func (f *fakeFCM) serveSend(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("project") != testProject {
		http.Error(w, `{"error":{"code":404,"status":"NOT_FOUND","message":"no such project"}}`, http.StatusNotFound)
		return
	}
	if got := r.Header.Get("Content-Type"); !strings.HasPrefix(got, "application/json") {
		f.t.Errorf("send Content-Type: got %q, want application/json", got)
	}
	if got := r.Header.Get("X-Goog-Api-Format-Version"); got != "2" {
		f.t.Errorf("X-GOOG-API-FORMAT-VERSION: got %q, want 2", got)
	}
	body := decodeBody(f.t, r.Body)
	msg, _ := body["message"].(map[string]any)
	target := firstString(msg, "token", "topic", "condition")

	f.mu.Lock()
	block := f.block
	f.requests = append(f.requests, body)
	f.perToken[target]++
	n := f.perToken[target]
	replies := f.replies[target]
	f.mu.Unlock()

	if block != nil {
		f.arrived <- struct{}{}
		select {
		case <-block:
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	if reason := apnsViolation(msg); reason != "" {
		replies = []fcmReply{fcmError(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", reason)}
		n = 1
	}
	if len(replies) == 0 {
		fmt.Fprintf(w, `{"name":"projects/%s/messages/0:%d%%%s"}`, testProject, n, target)
		return
	}
	rep := replies[min(n, len(replies))-1]
	if rep.retryAfter != "" {
		w.Header().Set("Retry-After", rep.retryAfter)
	}
	w.WriteHeader(rep.status)
	io.WriteString(w, rep.body)
}

func (f *fakeFCM) serveTopic(w http.ResponseWriter, r *http.Request) {
	if got := r.Header.Get("access_token_auth"); got != "true" {
		f.t.Errorf("access_token_auth header: got %q, want true", got)
	}
	body := decodeBody(f.t, r.Body)
	body["op"] = strings.TrimPrefix(r.URL.Path, "/iid/v1:")
	f.mu.Lock()
	f.topicReq = append(f.topicReq, body)
	reply := f.iidReply
	if reply == "" {
		var results []map[string]string
		tokens, _ := body["registration_tokens"].([]any)
		for _, tok := range tokens {
			if reason := f.topicFail[fmt.Sprint(tok)]; reason != "" {
				results = append(results, map[string]string{"error": reason})
			} else {
				results = append(results, map[string]string{})
			}
		}
		b, _ := json.Marshal(map[string]any{"results": results})
		reply = string(b)
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, reply)
}

// apnsViolation returns why FCM or APNs rejects the message's APNs part, ""
// when they accept it. FCM rejects data messages to Apple devices sent with
// priority 10, and APNs rejects priority 10 for background pushes and
// background pushes whose aps lacks content-available or carries an alert,
// badge or sound.
func apnsViolation(msg map[string]any) string {
	apns, _ := msg["apns"].(map[string]any)
	headers, _ := apns["headers"].(map[string]any)
	payload, _ := apns["payload"].(map[string]any)
	aps, _ := payload["aps"].(map[string]any)
	_, hasNotification := msg["notification"]
	visible := hasNotification || aps["alert"] != nil || aps["badge"] != nil || aps["sound"] != nil
	priority, _ := headers["apns-priority"].(string)
	pushType, _ := headers["apns-push-type"].(string)
	switch {
	case !visible && priority == "10":
		return "Data messages to Apple devices must use apns-priority 5"
	case pushType == "background" && priority == "10":
		return "apns-priority 10 is not allowed for background pushes"
	case pushType == "background" && (visible || aps["content-available"] != float64(1)):
		return "background pushes must carry content-available and no alert, badge or sound"
	}
	return ""
}

func decodeBody(t *testing.T, body io.Reader) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.NewDecoder(body).Decode(&v); err != nil {
		t.Errorf("decoding request body: %v", err)
	}
	return v
}

func firstString(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := m[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// toServer redirects every request (including the SDK's hard-coded
// https://iid.googleapis.com topic endpoint) to the fake, keeping the path.
type toServer struct{ target *url.URL }

func (rt toServer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = rt.target.Scheme, rt.target.Host, rt.target.Host
	return http.DefaultTransport.RoundTrip(r)
}

// newTestSender returns a Sender talking to f.
func newTestSender(t *testing.T, f *fakeFCM, cfg Config) *Sender {
	t.Helper()
	u, _ := url.Parse(f.URL)
	cfg.Endpoint = f.URL + "/v1"
	cfg.HTTPClient = &http.Client{Transport: toServer{u}}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return time.Unix(1_800_000_000, 0) }
	}
	s, err := New(context.Background(), testProject, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// setTopicFail makes the topic API report reason for token.
func (f *fakeFCM) setTopicFail(token, reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.topicFail[token] = reason
}
