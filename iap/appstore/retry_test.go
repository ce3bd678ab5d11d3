package appstore

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"
)

// scriptedReply is one answer of a scripted fake endpoint.
type scriptedReply struct {
	status     int
	body       any
	retryAfter string
}

// script answers successive requests with replies, repeating the last one.
func script(replies ...scriptedReply) http.HandlerFunc {
	var mu sync.Mutex
	n := 0
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		rep := replies[min(n, len(replies)-1)]
		n++
		mu.Unlock()
		if rep.retryAfter != "" {
			w.Header().Set("Retry-After", rep.retryAfter)
		}
		writeJSON(w, rep.status, rep.body)
	}
}

func apiErrBody(code int64, msg string) map[string]any {
	return map[string]any{"errorCode": code, "errorMessage": msg}
}

var (
	okLookup     = scriptedReply{status: 200, body: map[string]any{"status": 0}}
	okTest       = scriptedReply{status: 200, body: map[string]any{"testNotificationToken": "t"}}
	unavailable  = scriptedReply{status: 503, body: apiErrBody(ErrorCodeGeneralInternalRetryable, "An unknown error occurred. Please try again.")}
	internal     = scriptedReply{status: 500, body: apiErrBody(ErrorCodeGeneralInternal, "An unknown error occurred.")}
	rateLimited0 = scriptedReply{status: 429, body: apiErrBody(ErrorCodeRateLimitExceeded, "Rate limit exceeded."), retryAfter: "0"}
	notFound     = scriptedReply{status: 404, body: apiErrBody(ErrorCodeTransactionIDNotFound, "Transaction id not found.")}
	// accountRetry is a 404 whose code Apple documents as retryable.
	accountRetry = scriptedReply{status: 404, body: apiErrBody(ErrorCodeAccountNotFoundRetryable, "Account not found. Please try again.")}
)

func TestClientRetries(t *testing.T) {
	farFuture := strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10)
	lookup := func(ctx context.Context, c *Client) error { _, err := c.LookUpOrderID(ctx, "o"); return err }
	testNotif := func(ctx context.Context, c *Client) error { _, err := c.RequestTestNotification(ctx); return err }
	tests := []struct {
		name       string
		pattern    string
		replies    []scriptedReply
		call       func(context.Context, *Client) error
		maxRetries int
		wantErr    error
		wantCode   int64
		wantCalls  int
		wantWait   time.Duration // minimum APIError.RetryAfter
	}{
		{name: "503 then success", pattern: "GET /inApps/v1/lookup/{id}", replies: []scriptedReply{unavailable, okLookup}, call: lookup, wantCalls: 2},
		{name: "429 with Retry-After 0 then success", pattern: "GET /inApps/v1/lookup/{id}", replies: []scriptedReply{rateLimited0, okLookup}, call: lookup, wantCalls: 2},
		{name: "retryable 404 code then success", pattern: "GET /inApps/v1/lookup/{id}", replies: []scriptedReply{accountRetry, okLookup}, call: lookup, wantCalls: 2},
		{name: "429 retry-after beyond the cap", pattern: "GET /inApps/v1/lookup/{id}",
			replies: []scriptedReply{{status: 429, body: apiErrBody(ErrorCodeRateLimitExceeded, "Rate limit exceeded."), retryAfter: farFuture}},
			call:    lookup, wantErr: ErrRateLimited, wantCode: ErrorCodeRateLimitExceeded, wantCalls: 1, wantWait: 59 * time.Minute},
		{name: "500 until retries run out", pattern: "GET /inApps/v1/lookup/{id}", replies: []scriptedReply{internal}, call: lookup,
			wantErr: ErrServer, wantCode: ErrorCodeGeneralInternal, wantCalls: 1 + DefaultMaxRetries},
		{name: "retries disabled", pattern: "GET /inApps/v1/lookup/{id}", replies: []scriptedReply{internal}, call: lookup, maxRetries: -1,
			wantErr: ErrServer, wantCalls: 1},
		{name: "404 not retried", pattern: "GET /inApps/v1/lookup/{id}", replies: []scriptedReply{notFound}, call: lookup,
			wantErr: ErrNotFound, wantCode: ErrorCodeTransactionIDNotFound, wantCalls: 1},
		{name: "test notification not retried on 503", pattern: "POST /inApps/v1/notifications/test", replies: []scriptedReply{unavailable, okTest},
			call: testNotif, wantErr: ErrServer, wantCode: ErrorCodeGeneralInternalRetryable, wantCalls: 1},
		{name: "test notification not retried on 429", pattern: "POST /inApps/v1/notifications/test", replies: []scriptedReply{rateLimited0, okTest},
			call: testNotif, wantErr: ErrRateLimited, wantCalls: 1},
		{name: "extend retried with the same body", pattern: "PUT /inApps/v1/subscriptions/extend/{id}",
			replies: []scriptedReply{unavailable, {status: 200, body: map[string]any{"success": true}}},
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ExtendSubscriptionRenewalDate(ctx, "1", ExtendRenewalDateRequest{ExtendByDays: 1, RequestIdentifier: "r"})
				return err
			}, wantCalls: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.handle(tt.pattern, script(tt.replies...))
			c := f.newClient(t, ClientOptions{MaxRetries: tt.maxRetries, MaxRetryDelay: time.Second})
			err := tt.call(context.Background(), c)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			reqs := f.seen()
			if len(reqs) != tt.wantCalls {
				t.Fatalf("got %d requests, want %d", len(reqs), tt.wantCalls)
			}
			for _, r := range reqs[1:] {
				if r.body != reqs[0].body {
					t.Fatalf("got retried body %q, want %q", r.body, reqs[0].body)
				}
			}
			if tt.wantErr == nil {
				return
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("got %T, want *APIError", err)
			}
			if tt.wantCode != 0 && apiErr.Code != tt.wantCode {
				t.Fatalf("got code %d, want %d", apiErr.Code, tt.wantCode)
			}
			if apiErr.RetryAfter < tt.wantWait {
				t.Fatalf("got RetryAfter %s, want at least %s", apiErr.RetryAfter, tt.wantWait)
			}
		})
	}
}

func TestClientRetryStopsWithContext(t *testing.T) {
	f := newFakeAPI(t)
	ctx, cancel := context.WithCancel(context.Background())
	f.handle("GET /inApps/v1/lookup/{id}", func(w http.ResponseWriter, r *http.Request) {
		cancel() // the caller gives up while the server fails
		writeJSON(w, 503, nil)
	})
	c := f.newClient(t, ClientOptions{RetryBackoff: time.Hour, MaxRetryDelay: 2 * time.Hour})
	_, err := c.LookUpOrderID(ctx, "o")
	if err == nil {
		t.Fatal("got nil error, want one")
	}
	if n := len(f.seen()); n != 1 {
		t.Fatalf("got %d requests, want 1", n)
	}
}

func TestAPIErrorIs(t *testing.T) {
	sentinels := []error{ErrBadRequest, ErrUnauthorized, ErrForbidden, ErrNotFound, ErrRateLimited, ErrServer}
	tests := []struct {
		status int
		want   error
	}{
		{400, ErrBadRequest}, {401, ErrUnauthorized}, {403, ErrForbidden}, {404, ErrNotFound},
		{429, ErrRateLimited}, {500, ErrServer}, {503, ErrServer},
	}
	for _, tt := range tests {
		e := &APIError{StatusCode: tt.status}
		for _, s := range sentinels {
			if got := errors.Is(e, s); got != (s == tt.want) {
				t.Errorf("errors.Is(status %d, %v) got %v, want %v", tt.status, s, got, s == tt.want)
			}
		}
	}
}
