package b2_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/storage"
	"github.com/groundwork-go/groundwork/storage/b2"
)

// TestOutageIsBounded runs each operation with context.Background against a
// B2 that answers every call with 503: each must fail with ErrUnavailable
// within the configured bound instead of retrying forever.
func TestOutageIsBounded(t *testing.T) {
	type operation struct {
		name string
		fn   func(context.Context, *b2.Bucket) error
	}
	ops := []operation{
		{"Put", func(ctx context.Context, b *b2.Bucket) error {
			_, err := b.Put(ctx, "k", strings.NewReader("new"), storage.PutOptions{})
			return err
		}},
		{"Put large", func(ctx context.Context, b *b2.Bucket) error {
			_, err := b.Put(ctx, "big", opaque{bytes.NewReader(make([]byte, 300<<10))}, storage.PutOptions{})
			return err
		}},
		{"Get", func(ctx context.Context, b *b2.Bucket) error {
			rd, err := b.Get(ctx, "k", storage.GetOptions{})
			if err == nil {
				_, err = io.ReadAll(rd)
				rd.Close()
			}
			return err
		}},
		{"Stat", func(ctx context.Context, b *b2.Bucket) error { _, err := b.Stat(ctx, "k"); return err }},
		{"List", func(ctx context.Context, b *b2.Bucket) error {
			_, err := b.List(ctx, storage.ListOptions{})
			return err
		}},
		{"Delete", func(ctx context.Context, b *b2.Bucket) error { return b.Delete(ctx, "k") }},
		{"SignedURL", func(ctx context.Context, b *b2.Bucket) error {
			_, err := b.SignedURL(ctx, "k", time.Minute)
			return err
		}},
	}
	bounds := []struct {
		name       string
		opts       b2.Options
		retryAfter string
		within     time.Duration
	}{
		// Blazer's own backoff waits 1-2 s after the first failure.
		{"attempts", b2.Options{MaxAttempts: 2, MaxRetryTime: time.Hour}, "0", 5 * time.Second},
		// A Retry-After of an hour is cut short by MaxRetryTime.
		{"retry time", b2.Options{MaxAttempts: 1000, MaxRetryTime: 300 * time.Millisecond}, "3600", 3 * time.Second},
	}
	for _, bound := range bounds {
		for _, op := range ops {
			t.Run(bound.name+"/"+op.name, func(t *testing.T) {
				f := newFakeB2(t)
				b := newBucket(t, f, b2.Options{ChunkSize: 256 << 10, MaxAttempts: bound.opts.MaxAttempts, MaxRetryTime: bound.opts.MaxRetryTime})
				if _, err := b.Put(context.Background(), "k", strings.NewReader("value"), storage.PutOptions{}); err != nil {
					t.Fatal(err)
				}
				f.startOutage(http.StatusServiceUnavailable, bound.retryAfter)
				done := make(chan error, 1)
				start := time.Now()
				go func() { done <- op.fn(context.Background(), b) }()
				select {
				case err := <-done:
					if !errors.Is(err, storage.ErrUnavailable) {
						t.Errorf("%s during an outage: got %v, want ErrUnavailable", op.name, err)
					}
					t.Logf("%s gave up after %v: %v", op.name, time.Since(start).Round(time.Millisecond), err)
				case <-time.After(bound.within):
					t.Fatalf("%s during an outage: still running after %v, want an error", op.name, bound.within)
				}
			})
		}
	}
}

// TestStalledRequests runs operations with context.Background against a B2
// that accepts requests and never answers them: each must fail with
// ErrUnavailable once its attempts have stalled for IdleTimeout.
func TestStalledRequests(t *testing.T) {
	tests := []struct {
		method string
		fn     func(context.Context, *b2.Bucket) error
	}{
		{"b2_download_file_by_name", func(ctx context.Context, b *b2.Bucket) error { _, err := b.Stat(ctx, "k"); return err }},
		{"b2_download_file_by_name", func(ctx context.Context, b *b2.Bucket) error { return readAll(ctx, b, "k") }},
		{"b2_list_file_names", func(ctx context.Context, b *b2.Bucket) error {
			_, err := b.List(ctx, storage.ListOptions{})
			return err
		}},
		{"b2_upload_file", func(ctx context.Context, b *b2.Bucket) error {
			_, err := b.Put(ctx, "k", strings.NewReader("new"), storage.PutOptions{})
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.method, func(t *testing.T) {
			f := newFakeB2(t)
			b := newBucket(t, f, b2.Options{IdleTimeout: 100 * time.Millisecond, MaxAttempts: 2})
			if _, err := b.Put(context.Background(), "k", strings.NewReader("value"), storage.PutOptions{}); err != nil {
				t.Fatal(err)
			}
			if _, err := b.List(context.Background(), storage.ListOptions{}); err != nil {
				t.Fatal(err)
			}
			f.mu.Lock()
			f.hangs[tc.method] = true
			f.mu.Unlock()
			before := f.count(tc.method)
			done := make(chan error, 1)
			go func() { done <- tc.fn(context.Background(), b) }()
			select {
			case err := <-done:
				if !errors.Is(err, storage.ErrUnavailable) {
					t.Errorf("against a stalled %s: got %v, want ErrUnavailable", tc.method, err)
				}
				if got := f.count(tc.method) - before; got != 2 {
					t.Errorf("%s calls: got %d, want 2 (MaxAttempts)", tc.method, got)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("against a stalled %s: still running after 5s, want an error", tc.method)
			}
		})
	}
}
