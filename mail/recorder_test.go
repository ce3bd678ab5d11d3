package mail

import (
	"context"
	"errors"
	"testing"
)

func TestRecorder(t *testing.T) {
	rec := NewRecorder()
	ctx := context.Background()
	m := validMessage()
	if res, err := rec.Send(ctx, m); err != nil || res.ID != "rec-1" {
		t.Fatalf("got %v, %v; want rec-1", res, err)
	}
	m.Subject = "changed after sending"
	if got := rec.Messages()[0].Subject; got != "Hello" {
		t.Errorf("recorded subject: got %q, want the copy taken at Send (Hello)", got)
	}
	boom := errors.New("boom")
	rec.FailWith(boom)
	if _, err := rec.Send(ctx, m); !errors.Is(err, boom) {
		t.Errorf("got %v, want %v", err, boom)
	}
	rec.FailWith(nil)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := rec.Send(cctx, m); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v, want context.Canceled", err)
	}
	if got := len(rec.Messages()); got != 1 {
		t.Errorf("messages: got %d, want 1", got)
	}
	rec.Reset()
	if got := len(rec.Messages()); got != 0 {
		t.Errorf("after Reset: got %d, want 0", got)
	}
}
