package notify

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	err := fmt.Errorf("send: %w", &RetryAfterError{After: 30 * time.Second, Err: ErrQuotaExceeded})
	if d, ok := RetryAfter(err); !ok || d != 30*time.Second {
		t.Errorf("RetryAfter: got (%v, %v), want (30s, true)", d, ok)
	}
	if !errors.Is(err, ErrQuotaExceeded) {
		t.Errorf("got %v, want it to wrap ErrQuotaExceeded", err)
	}
	if _, ok := RetryAfter(ErrUnavailable); ok {
		t.Error("RetryAfter of a plain error: got true, want false")
	}
	joined := (&Result{Tokens: []TokenResult{{Token: "abcdefghijkl", Err: err}, {Token: "ok"}}}).Err()
	if d, ok := RetryAfter(joined); !ok || d != 30*time.Second {
		t.Errorf("RetryAfter through Result.Err: got (%v, %v), want (30s, true)", d, ok)
	}
}
