package storage_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/storage"
)

func TestValidateKeyAndExpiry(t *testing.T) {
	for _, key := range []string{"a", "dir/file name+1.txt", "ünï/ç", string(bytes.Repeat([]byte("k"), storage.MaxKeyLength))} {
		if err := storage.ValidateKey(key); err != nil {
			t.Errorf("ValidateKey(%q): got %v, want nil", key, err)
		}
	}
	for _, key := range []string{"", "/abs", "tab\there", "\xff", string(bytes.Repeat([]byte("k"), storage.MaxKeyLength+1))} {
		if err := storage.ValidateKey(key); !errors.Is(err, storage.ErrInvalidKey) {
			t.Errorf("ValidateKey(%q): got %v, want ErrInvalidKey", key, err)
		}
	}
	for _, d := range []time.Duration{time.Second, storage.MaxSignedURLExpiry} {
		if err := storage.ValidateExpiry(d); err != nil {
			t.Errorf("ValidateExpiry(%v): got %v, want nil", d, err)
		}
	}
	for _, d := range []time.Duration{0, 999 * time.Millisecond, storage.MaxSignedURLExpiry + 1} {
		if err := storage.ValidateExpiry(d); !errors.Is(err, storage.ErrInvalidExpiry) {
			t.Errorf("ValidateExpiry(%v): got %v, want ErrInvalidExpiry", d, err)
		}
	}
}
