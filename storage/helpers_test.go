package storage_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/storage"
)

func TestCheckSize(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		size    int64
		wantErr error
	}{
		{"exact", "hello", 5, nil},
		{"unknown", "hello", 0, nil},
		{"short", "hell", 5, storage.ErrSizeMismatch},
		{"long", "hello!", 5, storage.ErrSizeMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := io.ReadAll(storage.CheckSize(strings.NewReader(tc.data), tc.size))
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("ReadAll: got error %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr == nil && string(got) != tc.data {
				t.Errorf("ReadAll: got %q, want %q", got, tc.data)
			}
		})
	}
}

func TestResolveRange(t *testing.T) {
	tests := []struct {
		size       int64
		opts       storage.GetOptions
		start, end int64
		wantErr    bool
	}{
		{10, storage.GetOptions{}, 0, 10, false},
		{0, storage.GetOptions{}, 0, 0, false},
		{10, storage.GetOptions{Offset: 2, Length: 3}, 2, 5, false},
		{10, storage.GetOptions{Offset: 8, Length: 30}, 8, 10, false},
		{10, storage.GetOptions{Offset: 10}, 0, 0, true},
		{0, storage.GetOptions{Offset: 1}, 0, 0, true},
		{10, storage.GetOptions{Length: -1}, 0, 0, true},
	}
	for _, tc := range tests {
		start, end, err := storage.ResolveRange(tc.size, tc.opts)
		if (err != nil) != tc.wantErr || err != nil && !errors.Is(err, storage.ErrInvalidRange) {
			t.Errorf("ResolveRange(%d, %+v): got error %v, want error %v", tc.size, tc.opts, err, tc.wantErr)
			continue
		}
		if start != tc.start || end != tc.end {
			t.Errorf("ResolveRange(%d, %+v): got [%d,%d), want [%d,%d)", tc.size, tc.opts, start, end, tc.start, tc.end)
		}
	}
}

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

func TestPageTokenRejectsGarbage(t *testing.T) {
	b := storage.NewMemoryBucket(storage.MemoryOptions{})
	if _, err := b.List(t.Context(), storage.ListOptions{PageToken: "%%%"}); err == nil {
		t.Error("List with a malformed token: got nil error, want one")
	}
}
