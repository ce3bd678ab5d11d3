package driver_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/groundwork-go/groundwork/storage"
	"github.com/groundwork-go/groundwork/storage/driver"
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
			got, err := io.ReadAll(driver.CheckSize(strings.NewReader(tc.data), tc.size))
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
		start, end, err := driver.ResolveRange(tc.size, tc.opts)
		if (err != nil) != tc.wantErr || err != nil && !errors.Is(err, storage.ErrInvalidRange) {
			t.Errorf("ResolveRange(%d, %+v): got error %v, want error %v", tc.size, tc.opts, err, tc.wantErr)
			continue
		}
		if start != tc.start || end != tc.end {
			t.Errorf("ResolveRange(%d, %+v): got [%d,%d), want [%d,%d)", tc.size, tc.opts, start, end, tc.start, tc.end)
		}
	}
}

func TestPageTokenRoundTrip(t *testing.T) {
	for _, last := range []string{"", "a", "dir/", "ünï/?&=+ %"} {
		got, err := driver.DecodePageToken(driver.EncodePageToken(last))
		if err != nil || got != last {
			t.Errorf("DecodePageToken(EncodePageToken(%q)): got %q, %v, want %q, nil", last, got, err, last)
		}
	}
	if _, err := driver.DecodePageToken("%%%"); err == nil {
		t.Error("DecodePageToken of garbage: got nil error, want one")
	}
}

func TestNewReader(t *testing.T) {
	body := &closeCounter{Reader: strings.NewReader("abc")}
	rd := driver.NewReader(storage.Attributes{Key: "k", Size: 3}, body)
	got, err := io.ReadAll(rd)
	if err != nil || string(got) != "abc" || rd.Key != "k" || rd.Size != 3 {
		t.Errorf("NewReader: read %q (err %v), Key %q, Size %d, want abc, nil, k, 3", got, err, rd.Key, rd.Size)
	}
	if err := rd.Close(); err != nil || body.closed != 1 {
		t.Errorf("Close: got error %v and %d closes of the body, want nil and 1", err, body.closed)
	}
}

type closeCounter struct {
	io.Reader
	closed int
}

func (c *closeCounter) Close() error { c.closed++; return nil }
