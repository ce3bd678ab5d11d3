package users

import (
	"context"
	"errors"
	"testing"
)

// TestHashWaitsForSlot checks that hashing beyond MaxConcurrent waits for a
// free slot and gives up when the context ends.
func TestHashWaitsForSlot(t *testing.T) {
	h := NewHasher(HasherOptions{Params: Params{Memory: 64, Iterations: 1}, MaxConcurrent: 1})
	h.sem <- struct{}{} // the only slot is busy
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Hash(ctx, "password1"); !errors.Is(err, context.Canceled) {
		t.Errorf("Hash with no free slot error = %v, want context.Canceled", err)
	}
	if _, _, err := h.Verify(ctx, encodePHC(h.params, make([]byte, 16), make([]byte, 32)), "password1"); !errors.Is(err, context.Canceled) {
		t.Errorf("Verify with no free slot error = %v, want context.Canceled", err)
	}
	<-h.sem
	if _, err := h.Hash(context.Background(), "password1"); err != nil {
		t.Errorf("Hash with a free slot: %v", err)
	}
}
