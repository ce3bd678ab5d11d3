package users

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"
)

func TestTransientStatusesMapToErrUnavailable(t *testing.T) {
	f := newFakeToolkit(t)
	c := newTestClientWith(t, f, Config{MaxRetries: -1})
	ctx := context.Background()
	if _, err := c.CreateUser(ctx, UserToCreate{UID: "ada"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		status  int
		wantErr error
	}{
		{http.StatusTooManyRequests, ErrUnavailable},
		{http.StatusInternalServerError, ErrUnavailable},
		{http.StatusBadGateway, ErrUnavailable},
		{http.StatusServiceUnavailable, ErrUnavailable},
		{http.StatusGatewayTimeout, ErrUnavailable},
		{http.StatusForbidden, ErrPermissionDenied},
		{http.StatusConflict, ErrAPI},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			f.failNext(failure{status: tt.status})
			if _, err := c.GetUser(ctx, "ada"); !errors.Is(err, tt.wantErr) {
				t.Errorf("got %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestRetries(t *testing.T) {
	s := time.Second
	unavailable := failure{status: http.StatusServiceUnavailable}
	ctx := context.Background()
	tests := []struct {
		name      string
		cfg       Config
		failures  []failure
		call      func(c *Client) error
		endpoint  string
		wantCalls int
		wantWaits []time.Duration
		wantErr   error
	}{
		{
			name:     "lookup recovers after two 503s",
			failures: []failure{unavailable, unavailable},
			call:     getAda, endpoint: "lookup", wantCalls: 3,
			wantWaits: []time.Duration{s / 2, s},
		},
		{
			name:     "429 Retry-After seconds is honoured",
			failures: []failure{{status: http.StatusTooManyRequests, retryAfter: "7"}},
			call:     getAda, endpoint: "lookup", wantCalls: 2,
			wantWaits: []time.Duration{7 * s},
		},
		{
			name: "Retry-After HTTP date is honoured",
			failures: []failure{{status: http.StatusServiceUnavailable,
				retryAfter: time.Unix(1_800_000_004, 0).UTC().Format(http.TimeFormat)}},
			call: getAda, endpoint: "lookup", wantCalls: 2,
			wantWaits: []time.Duration{4 * s},
		},
		{
			name:     "attempts are bounded",
			failures: slices.Repeat([]failure{unavailable}, 10),
			call:     getAda, endpoint: "lookup", wantCalls: 1 + DefaultMaxRetries,
			wantWaits: []time.Duration{s / 2, s, 2 * s}, wantErr: ErrUnavailable,
		},
		{
			name:     "backoff is capped by MaxRetryDelay",
			cfg:      Config{MaxRetries: 4, MaxRetryDelay: 1500 * time.Millisecond},
			failures: slices.Repeat([]failure{unavailable}, 4),
			call:     getAda, endpoint: "lookup", wantCalls: 5,
			wantWaits: []time.Duration{s / 2, s, 1500 * time.Millisecond, 1500 * time.Millisecond},
		},
		{
			name:     "Retry-After beyond MaxRetryDelay ends the call",
			failures: []failure{{status: http.StatusTooManyRequests, retryAfter: "60"}},
			call:     getAda, endpoint: "lookup", wantCalls: 1, wantErr: ErrUnavailable,
		},
		{
			name:     "total time is bounded by RetryBudget",
			cfg:      Config{RetryBudget: 1200 * time.Millisecond},
			failures: slices.Repeat([]failure{unavailable}, 10),
			call:     getAda, endpoint: "lookup", wantCalls: 2,
			wantWaits: []time.Duration{s / 2}, wantErr: ErrUnavailable,
		},
		{
			name:     "negative MaxRetries disables retries",
			cfg:      Config{MaxRetries: -1},
			failures: []failure{unavailable},
			call:     getAda, endpoint: "lookup", wantCalls: 1, wantErr: ErrUnavailable,
		},
		{
			name:     "a 400 is not retried",
			failures: []failure{{status: http.StatusBadRequest}},
			call:     getAda, endpoint: "lookup", wantCalls: 1, wantErr: ErrAPI,
		},
		{
			name:     "update is retried",
			failures: []failure{unavailable},
			call:     func(c *Client) error { return c.SetCustomClaims(ctx, "ada", map[string]any{"role": "admin"}) },
			endpoint: "update", wantCalls: 2, wantWaits: []time.Duration{s / 2},
		},
		{
			name:     "list is retried",
			failures: []failure{{status: http.StatusInternalServerError}},
			call:     func(c *Client) error { _, err := c.ListUsers(ctx, "", 10); return err },
			endpoint: "batchGet", wantCalls: 2, wantWaits: []time.Duration{s / 2},
		},
		{
			name:     "delete whose answer was lost succeeds on retry",
			failures: []failure{{status: http.StatusServiceUnavailable, afterApply: true}},
			call:     func(c *Client) error { return c.DeleteUser(ctx, "ada") },
			endpoint: "delete", wantCalls: 2, wantWaits: []time.Duration{s / 2},
		},
		{
			name:     "create is not retried",
			failures: []failure{unavailable},
			call:     func(c *Client) error { _, err := c.CreateUser(ctx, UserToCreate{Email: "bob@example.com"}); return err },
			endpoint: "signUp", wantCalls: 1, wantErr: ErrUnavailable,
		},
		{
			name:     "email action link is not retried",
			failures: []failure{unavailable},
			call: func(c *Client) error {
				_, err := c.EmailActionLink(ctx, ActionVerifyEmail, "ada@example.com", nil)
				return err
			},
			endpoint: "sendOobCode", wantCalls: 1, wantErr: ErrUnavailable,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeToolkit(t)
			c := newTestClientWith(t, f, tt.cfg)
			if _, err := c.CreateUser(ctx, UserToCreate{UID: "ada", Email: "ada@example.com"}); err != nil {
				t.Fatal(err)
			}
			clock := fakeWaits(c)
			before := f.callCount(tt.endpoint)
			f.failNext(tt.failures...)
			err := tt.call(c)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("got error %v, want %v", err, tt.wantErr)
			}
			if got := f.callCount(tt.endpoint) - before; got != tt.wantCalls {
				t.Errorf("%s requests: got %d, want %d", tt.endpoint, got, tt.wantCalls)
			}
			if got := clock.recorded(); !slices.Equal(got, tt.wantWaits) {
				t.Errorf("waits: got %v, want %v", got, tt.wantWaits)
			}
		})
	}
}

func getAda(c *Client) error {
	_, err := c.GetUser(context.Background(), "ada")
	return err
}

func TestDeletedUserIsGoneAfterLostAnswer(t *testing.T) {
	f := newFakeToolkit(t)
	c := newTestClient(t, f)
	ctx := context.Background()
	if _, err := c.CreateUser(ctx, UserToCreate{UID: "ada"}); err != nil {
		t.Fatal(err)
	}
	f.failNext(failure{status: http.StatusBadGateway, afterApply: true})
	if err := c.DeleteUser(ctx, "ada"); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if _, err := c.GetUser(ctx, "ada"); !errors.Is(err, ErrUserNotFound) {
		t.Errorf("after delete: got %v, want ErrUserNotFound", err)
	}
	// A first attempt that finds no user still reports it.
	if err := c.DeleteUser(ctx, "ada"); !errors.Is(err, ErrUserNotFound) {
		t.Errorf("deleting a missing user: got %v, want ErrUserNotFound", err)
	}
}

func TestRetryWaitEndsWithContext(t *testing.T) {
	f := newFakeToolkit(t)
	// Real waits: a one-hour backoff must end when the caller's context does.
	c, err := New(context.Background(), testProject, Config{
		Endpoint: f.URL + "/", HTTPClient: f.Client(),
		RetryBackoff: time.Hour, MaxRetryDelay: 2 * time.Hour, RetryBudget: 3 * time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	f.failNext(failure{status: http.StatusServiceUnavailable})
	// Long enough for the first attempt on a loaded machine; the hour-long
	// backoff after it must end here, not an hour later.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	t.Cleanup(cancel)
	_, err = c.GetUser(ctx, "ada")
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrUnavailable) {
		t.Errorf("got %v, want context.DeadlineExceeded and ErrUnavailable", err)
	}
	if got := f.callCount("lookup"); got != 1 {
		t.Errorf("lookup requests: got %d, want 1", got)
	}
}
