package ratelimit_test

import (
	"errors"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/ratelimit"
)

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		p     ratelimit.Policy
		valid bool
	}{
		{ratelimit.Policy{Limit: 1, Window: time.Microsecond}, true},
		{ratelimit.Policy{Limit: ratelimit.MaxLimit, Window: ratelimit.MaxWindow}, true},
		{ratelimit.Policy{Limit: ratelimit.MaxLimit + 1, Window: time.Minute}, false},
		{ratelimit.Policy{Limit: 0, Window: time.Minute}, false},
		{ratelimit.Policy{Limit: 1, Window: time.Microsecond - 1}, false},
		{ratelimit.Policy{Limit: 1, Window: ratelimit.MaxWindow + time.Microsecond}, false},
	}
	for _, tc := range tests {
		err := tc.p.Validate()
		if tc.valid && err != nil {
			t.Errorf("Validate(%+v): got %v, want nil", tc.p, err)
		}
		if !tc.valid && !errors.Is(err, ratelimit.ErrInvalidPolicy) {
			t.Errorf("Validate(%+v): got %v, want ErrInvalidPolicy", tc.p, err)
		}
	}
}

func TestResultHeaderValues(t *testing.T) {
	at := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name       string
		r          ratelimit.Result
		reset      int64
		retryAfter int64
	}{
		{"whole second", ratelimit.Result{Allowed: true, Reset: at}, 1_700_000_000, 0},
		{"one microsecond past", ratelimit.Result{Allowed: true, Reset: at.Add(time.Microsecond)}, 1_700_000_001, 0},
		{"denied, 1µs to wait", ratelimit.Result{Reset: at, RetryAfter: time.Microsecond}, 1_700_000_000, 1},
		{"denied, 2.5 s to wait", ratelimit.Result{Reset: at, RetryAfter: 2500 * time.Millisecond}, 1_700_000_000, 3},
		{"denied, 3 s to wait", ratelimit.Result{Reset: at, RetryAfter: 3 * time.Second}, 1_700_000_000, 3},
	}
	for _, tc := range tests {
		if got := tc.r.ResetUnix(); got != tc.reset {
			t.Errorf("%s: ResetUnix got %d, want %d", tc.name, got, tc.reset)
		}
		if got := tc.r.RetryAfterSeconds(); got != tc.retryAfter {
			t.Errorf("%s: RetryAfterSeconds got %d, want %d", tc.name, got, tc.retryAfter)
		}
	}
}
