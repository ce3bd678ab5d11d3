package appstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/groundwork-go/groundwork/httpx"
)

// notificationRecorder is a NotificationFunc that keeps what it received.
type notificationRecorder struct {
	mu  sync.Mutex
	got []*Notification
	err error
}

func (r *notificationRecorder) handle(ctx context.Context, n *Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, n)
	return r.err
}

func (r *notificationRecorder) received() []*Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*Notification(nil), r.got...)
}

// logCapture is a server whose requests log into a buffer.
func newLoggedServer(t *testing.T, h http.Handler) (*httptest.Server, *syncBuffer) {
	t.Helper()
	buf := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(buf, nil))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(httpx.NewLoggerContext(r.Context(), logger)))
	}))
	t.Cleanup(srv.Close)
	return srv, buf
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestNotificationHandler(t *testing.T) {
	pki := newTestPKI(t, pkiSpec{})
	forger := newTestPKI(t, pkiSpec{})
	valid := pki.sign(t, testNotification(t, pki, Production))
	forged := forger.sign(t, testNotification(t, forger, Production))
	body := func(signed string) string { return `{"signedPayload":"` + signed + `"}` }

	tests := []struct {
		name        string
		method      string
		body        string
		chunked     bool
		callbackErr error
		wantStatus  int
		wantCode    string
		wantCalls   int
		wantLog     string
	}{
		{name: "valid", body: body(valid), wantStatus: 200, wantCalls: 1},
		{name: "bad signature chain", body: body(forged), wantStatus: 400, wantCode: httpx.CodeBadRequest, wantLog: "certificate chain does not verify"},
		{name: "tampered", body: body(valid[:len(valid)-4] + "AAAA"), wantStatus: 400, wantCode: httpx.CodeBadRequest, wantLog: "invalid JWS signature"},
		{name: "not a JWS", body: body("hello"), wantStatus: 400, wantCode: httpx.CodeBadRequest, wantLog: "malformed JWS"},
		{name: "missing signedPayload", body: `{}`, wantStatus: 400, wantCode: httpx.CodeBadRequest},
		{name: "not JSON", body: `signedPayload=x`, wantStatus: 400, wantCode: httpx.CodeBadRequest},
		{name: "too large", body: body(strings.Repeat("a", len(valid)+200)), wantStatus: 413, wantCode: httpx.CodePayloadTooLarge},
		{name: "too large without content length", body: body(strings.Repeat("a", len(valid)+200)), chunked: true, wantStatus: 413, wantCode: httpx.CodePayloadTooLarge},
		{name: "GET", method: http.MethodGet, wantStatus: 405, wantCode: httpx.CodeMethodNotAllowed},
		{name: "callback fails", body: body(valid), callbackErr: errors.New("db down"), wantStatus: 500, wantCode: httpx.CodeInternal, wantCalls: 1, wantLog: "db down"},
		{name: "callback rejects", body: body(valid), callbackErr: httpx.ServiceUnavailable("busy"), wantStatus: 503, wantCode: httpx.CodeServiceUnavailable, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &notificationRecorder{err: tt.callbackErr}
			maxBytes := int64(len(body(valid)) + 100)
			h := NewNotificationHandler(newTestVerifier(t, pki.root, Production, VerifierOptions{}), rec.handle,
				HandlerOptions{MaxBodyBytes: maxBytes})
			srv, logs := newLoggedServer(t, h)
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			var rd io.Reader = strings.NewReader(tt.body)
			if tt.chunked {
				rd = io.MultiReader(rd) // hides the length: sent chunked
			}
			req, _ := http.NewRequest(method, srv.URL, rd)
			req.Header.Set("Content-Type", "application/json")
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("got status %d (%s), want %d", resp.StatusCode, raw, tt.wantStatus)
			}
			if tt.wantCode != "" {
				var env struct {
					Code   string `json:"error_code"`
					Detail string `json:"detail"`
				}
				if err := json.Unmarshal(raw, &env); err != nil || env.Code != tt.wantCode {
					t.Fatalf("got body %s, want error_code %s", raw, tt.wantCode)
				}
				if strings.Contains(env.Detail, "appstore:") {
					t.Fatalf("got detail %q, want no internal error text", env.Detail)
				}
			}
			if got := len(rec.received()); got != tt.wantCalls {
				t.Fatalf("got %d callbacks, want %d", got, tt.wantCalls)
			}
			if tt.wantLog != "" && !strings.Contains(logs.String(), tt.wantLog) {
				t.Fatalf("got log %q, want it to mention %q", logs.String(), tt.wantLog)
			}
			if tt.wantCalls == 1 && tt.callbackErr == nil {
				n := rec.received()[0]
				if n.NotificationType != "DID_RENEW" || n.Data.Transaction == nil || n.Data.RenewalInfo == nil {
					t.Fatalf("got %+v, want DID_RENEW with verified nested data", n)
				}
			}
		})
	}
}

func TestNotificationHandlerOCSPOutageIs503(t *testing.T) {
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	t.Cleanup(down.Close)
	pki := newTestPKI(t, pkiSpec{ocspURL: down.URL})
	v := newTestVerifier(t, pki.root, Production, VerifierOptions{EnableOnlineChecks: true, HTTPClient: down.Client()})
	rec := &notificationRecorder{}
	srv, _ := newLoggedServer(t, NewNotificationHandler(v, rec.handle, HandlerOptions{}))
	resp, err := http.Post(srv.URL, "application/json",
		strings.NewReader(`{"signedPayload":"`+pki.sign(t, testNotification(t, pki, Production))+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("got status %d, want 503", resp.StatusCode)
	}
	if n := len(rec.received()); n != 0 {
		t.Fatalf("got %d callbacks, want 0", n)
	}
}
