package mail

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/mail/brevo"
	"github.com/groundwork-go/groundwork/mail/internal/fakeapi"
	"github.com/groundwork-go/groundwork/mail/resend"
)

// waitRecorder replaces Sender.sleep: it records the waits instead of
// sleeping, so the retry tests are instant and can assert the delays.
type waitRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (w *waitRecorder) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.waits = append(w.waits, d)
	return ctx.Err()
}

func newTestSender(t *testing.T, p Provider, opts SenderOptions) (*Sender, *waitRecorder) {
	t.Helper()
	s := NewSender(p, opts)
	w := &waitRecorder{}
	s.sleep = w.sleep
	return s, w
}

// Real answers of the two APIs.
var (
	resendOK          = fakeapi.Reply{Status: 200, Body: `{"id":"49a3999c-0ce1-4ea6-ab68-afcd6dc2e794"}`}
	resendRateLimited = fakeapi.Reply{Status: 429, Body: `{"statusCode":429,"name":"rate_limit_exceeded","message":"Too many requests. You can only make 2 requests per second."}`, Header: map[string]string{"Retry-After": "7"}}
	resendInternal    = fakeapi.Reply{Status: 500, Body: `{"statusCode":500,"name":"internal_server_error","message":"An unexpected error occurred."}`}
	resendValidation  = fakeapi.Reply{Status: 422, Body: `{"statusCode":422,"name":"validation_error","message":"The gmail.com domain is not verified."}`}
	brevoOK           = fakeapi.Reply{Status: 201, Body: `{"messageId":"<202611251200.42@smtp-relay.mailin.fr>"}`}
	brevoUnavailable  = fakeapi.Reply{Status: 503, Body: `{"code":"service_unavailable","message":"Service temporarily unavailable"}`}
	brevoBadRequest   = fakeapi.Reply{Status: 400, Body: `{"code":"invalid_parameter","message":"sender is invalid / inactive"}`}
)

func resendProvider(srv *fakeapi.Server) Provider {
	return NewResendProvider(resend.New("re_secret", resend.Options{BaseURL: srv.URL, HTTPClient: srv.Client}))
}

func brevoProvider(srv *fakeapi.Server) Provider {
	return NewBrevoProvider(brevo.New("xkeysib-secret", brevo.Options{BaseURL: srv.URL, HTTPClient: srv.Client}))
}

func TestSenderRetries(t *testing.T) {
	base := 100 * time.Millisecond
	tests := []struct {
		name        string
		provider    func(*fakeapi.Server) Provider
		replies     []fakeapi.Reply
		wantErr     error // nil: success
		wantCalls   int
		wantWaits   []time.Duration // exact waits; backoff waits are checked by range instead
		wantBackoff int             // number of jittered backoff waits expected
	}{
		{"resend ok", resendProvider, []fakeapi.Reply{resendOK}, nil, 1, nil, 0},
		{"resend 429 honours Retry-After", resendProvider, []fakeapi.Reply{resendRateLimited, resendOK}, nil, 2, []time.Duration{7 * time.Second}, 0},
		{"resend 500 then ok", resendProvider, []fakeapi.Reply{resendInternal, resendOK}, nil, 2, nil, 1},
		{"resend 422 not retried", resendProvider, []fakeapi.Reply{resendValidation}, ErrRejected, 1, nil, 0},
		{"brevo 503 twice then ok", brevoProvider, []fakeapi.Reply{brevoUnavailable, brevoUnavailable, brevoOK}, nil, 3, nil, 2},
		{"brevo 400 not retried", brevoProvider, []fakeapi.Reply{brevoBadRequest}, ErrRejected, 1, nil, 0},
		{"brevo 503 until attempts run out", brevoProvider, []fakeapi.Reply{brevoUnavailable}, ErrUnavailable, 4, nil, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakeapi.Start(t, tt.replies...)
			s, w := newTestSender(t, tt.provider(srv), SenderOptions{BaseDelay: base})
			res, err := s.Send(context.Background(), validMessage())
			if tt.wantErr == nil && err != nil {
				t.Fatalf("got %v, want success", err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil && res.ID == "" {
				t.Errorf("got an empty ID, want the provider's")
			}
			reqs := srv.Requests()
			if len(reqs) != tt.wantCalls {
				t.Fatalf("calls: got %d, want %d", len(reqs), tt.wantCalls)
			}
			assertSameIdempotencyKey(t, reqs)
			if tt.wantWaits != nil && !equalDurations(w.waits, tt.wantWaits) {
				t.Errorf("waits: got %v, want %v", w.waits, tt.wantWaits)
			}
			if tt.wantWaits == nil {
				if len(w.waits) != tt.wantBackoff {
					t.Fatalf("waits: got %v, want %d backoff waits", w.waits, tt.wantBackoff)
				}
				for i, d := range w.waits {
					hi := base << i
					if d < hi/2 || d > hi {
						t.Errorf("wait %d: got %v, want within [%v, %v]", i, d, hi/2, hi)
					}
				}
			}
			if err != nil && (strings.Contains(err.Error(), "re_secret") || strings.Contains(err.Error(), "xkeysib-secret")) {
				t.Errorf("error leaks the API key: %v", err)
			}
		})
	}
}

// assertSameIdempotencyKey checks that every attempt carried one non-empty key.
func assertSameIdempotencyKey(t *testing.T, reqs []fakeapi.Request) {
	t.Helper()
	var first string
	for i, r := range reqs {
		key := r.Header.Get("Idempotency-Key")
		if key == "" { // Brevo: in the body's headers object
			if _, rest, ok := strings.Cut(r.Body, `"idempotencyKey":"`); ok {
				key, _, _ = strings.Cut(rest, `"`)
			}
		}
		if key == "" {
			t.Fatalf("attempt %d: no idempotency key", i+1)
		}
		if i == 0 {
			first = key
		} else if key != first {
			t.Errorf("attempt %d: key %q, want the first attempt's %q", i+1, key, first)
		}
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSenderGivesUpOnLongRetryAfter(t *testing.T) {
	reply := resendRateLimited
	reply.Header = map[string]string{"Retry-After": "3600"}
	srv := fakeapi.Start(t, reply)
	s, w := newTestSender(t, resendProvider(srv), SenderOptions{})
	_, err := s.Send(context.Background(), validMessage())
	var pe *ProviderError
	if !errors.As(err, &pe) || pe.RetryAfter != time.Hour {
		t.Fatalf("got %v, want a ProviderError with RetryAfter 1h", err)
	}
	if got := len(srv.Requests()); got != 1 {
		t.Errorf("calls: got %d, want 1", got)
	}
	if len(w.waits) != 0 {
		t.Errorf("waits: got %v, want none", w.waits)
	}
}

func TestSenderRetriesTransportErrors(t *testing.T) {
	// A server that drops the first connection, then answers properly.
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 1 {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		w.Write([]byte(`{"id":"abc"}`))
	}))
	t.Cleanup(srv.Close)
	p := NewResendProvider(resend.New("k", resend.Options{BaseURL: srv.URL, HTTPClient: srv.Client()}))
	s, w := newTestSender(t, p, SenderOptions{})
	res, err := s.Send(context.Background(), validMessage())
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if res.ID != "abc" || calls != 2 || len(w.waits) != 1 {
		t.Errorf("got id %q after %d calls and waits %v, want abc after 2 calls and 1 wait", res.ID, calls, w.waits)
	}
}

func TestSenderStopsWhenContextEnds(t *testing.T) {
	srv := fakeapi.Start(t, brevoUnavailable)
	s := NewSender(brevoProvider(srv), SenderOptions{BaseDelay: time.Hour, MaxDelay: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	s.sleep = func(ctx context.Context, d time.Duration) error {
		cancel() // the caller gives up while we wait to retry
		return sleepContext(ctx, d)
	}
	_, err := s.Send(ctx, validMessage())
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("got %v, want the last provider error noting the cancellation", err)
	}
	if got := len(srv.Requests()); got != 1 {
		t.Errorf("calls: got %d, want 1", got)
	}
}

func TestSenderDoesNotSendInvalidMessages(t *testing.T) {
	rec := NewRecorder()
	s := NewSender(rec, SenderOptions{Templates: testTemplates(t)})
	tests := []struct {
		name string
		msg  *Message
		want error
	}{
		{"invalid", &Message{To: AddressList{{Email: "x"}}}, ErrInvalidMessage},
		{"unknown template", &Message{From: Address{Email: "a@acme.test"}, To: AddressList{{Email: "b@example.com"}}, Template: "nope"}, ErrUnknownTemplate},
		{"missing data", welcomeFrom(Address{Email: "a@acme.test"}), ErrTemplate},
	}
	for _, tt := range tests {
		if _, err := s.Send(context.Background(), tt.msg); !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
		}
	}
	if n := len(rec.Messages()); n != 0 {
		t.Errorf("sent %d messages, want 0", n)
	}
}

func TestSenderRendersTemplateAndDefaults(t *testing.T) {
	rec := NewRecorder()
	from := Address{Name: "Groundwork", Email: "no-reply@groundwork.test"}
	s := NewSender(rec, SenderOptions{DefaultFrom: from, Templates: testTemplates(t)})
	msg := newWelcomeMessage(Address{Email: "john@example.com"}, welcomeData{AppName: "Groundwork", Username: "johndoe", FirstName: "John"})
	res, err := s.Send(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	if res.ID != "rec-1" {
		t.Errorf("id: got %q, want rec-1", res.ID)
	}
	got := rec.Messages()[0]
	if got.From != from || got.Subject != "Welcome to Groundwork, John!" || got.Template != "" || got.Data != nil ||
		!strings.Contains(got.HTML, "johndoe") || !strings.Contains(got.Text, "johndoe") || got.IdempotencyKey != "welcome/johndoe" {
		t.Errorf("got %+v, want the rendered welcome email from %v", got, from)
	}
	if msg.Template != welcomeTemplate || msg.HTML != "" || !msg.From.IsZero() {
		t.Errorf("Send modified the caller's message: %+v", msg)
	}
}

func TestSenderGeneratesIdempotencyKeyPerSend(t *testing.T) {
	rec := NewRecorder()
	s := NewSender(rec, SenderOptions{})
	for range 2 {
		if _, err := s.Send(context.Background(), validMessage()); err != nil {
			t.Fatal(err)
		}
	}
	msgs := rec.Messages()
	if a, b := msgs[0].IdempotencyKey, msgs[1].IdempotencyKey; !isUUID(a) || !isUUID(b) || a == b {
		t.Errorf("keys: got %q and %q, want two different UUIDs", a, b)
	}
}

func TestSenderTemplateSubjectIsValidated(t *testing.T) {
	tpl := mustTemplates(t, map[string]string{"x.subject.tmpl": "Hi\r\nBcc: {{.}}", "x.text.tmpl": "body"})
	s := NewSender(NewRecorder(), SenderOptions{Templates: tpl})
	m := &Message{From: Address{Email: "a@acme.test"}, To: AddressList{{Email: "b@example.com"}}, Template: "x", Data: "victim@example.com"}
	if _, err := s.Send(context.Background(), m); !errors.Is(err, ErrInvalidMessage) || !strings.Contains(err.Error(), "subject must not contain CR or LF") {
		t.Errorf("got %v, want a subject validation error", err)
	}
}

func TestSenderWithoutTemplatesRefusesTemplateMessages(t *testing.T) {
	rec := NewRecorder()
	s := NewSender(rec, SenderOptions{})
	_, err := s.Send(context.Background(), welcomeFrom(Address{Email: "a@acme.test"}))
	if !errors.Is(err, ErrUnknownTemplate) {
		t.Errorf("got %v, want ErrUnknownTemplate", err)
	}
	if n := len(rec.Messages()); n != 0 {
		t.Errorf("sent %d messages, want 0", n)
	}
}

func welcomeFrom(from Address) *Message {
	m := newWelcomeMessage(Address{Email: "b@example.com"}, welcomeData{Username: "u"})
	m.From = from
	return m
}
