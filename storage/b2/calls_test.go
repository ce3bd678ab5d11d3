package b2_test

import (
	"bytes"
	"context"
	"io"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/storage"
	"github.com/groundwork-go/groundwork/storage/b2"
)

// snapshot returns a copy of the fake's per-method call counts.
func (f *fakeB2) snapshot() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.calls)
}

// callsSince returns the calls made after before, by method.
func (f *fakeB2) callsSince(before map[string]int) map[string]int {
	out := map[string]int{}
	for m, n := range f.snapshot() {
		if d := n - before[m]; d > 0 {
			out[m] = d
		}
	}
	return out
}

func readAll(ctx context.Context, b *b2.Bucket, key string) error {
	rd, err := b.Get(ctx, key, storage.GetOptions{})
	if err != nil {
		return err
	}
	defer rd.Close()
	_, err = io.ReadAll(rd)
	return err
}

// TestCallsPerOperation counts the B2 calls each operation makes, in order,
// on one Bucket: Stat and a one-chunk Get cost one download call (class B)
// each, and the whole process authorizes once.
func TestCallsPerOperation(t *testing.T) {
	f := newFakeB2(t)
	ctx := context.Background()
	b := newBucket(t, f, b2.Options{DownloadChunkSize: 64 << 10})
	if _, err := b.Put(ctx, "big", bytes.NewReader(make([]byte, 150<<10)), storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		fn   func() error
		want map[string]int
	}{
		{"Put", func() error {
			_, err := b.Put(ctx, "k", strings.NewReader("value"), storage.PutOptions{})
			return err
		}, map[string]int{"b2_upload_file": 1, "b2_get_file_info": 1}},
		{"Stat", func() error { _, err := b.Stat(ctx, "k"); return err }, map[string]int{"b2_download_file_by_name": 1}},
		{"Get", func() error { return readAll(ctx, b, "k") }, map[string]int{"b2_download_file_by_name": 1}},
		{"Get of three chunks", func() error { return readAll(ctx, b, "big") }, map[string]int{"b2_download_file_by_name": 1, "b2_download_file_by_id": 2}},
		{"first List", func() error { _, err := b.List(ctx, storage.ListOptions{}); return err }, map[string]int{"b2_list_buckets": 1, "b2_list_file_names": 1}},
		{"List", func() error { _, err := b.List(ctx, storage.ListOptions{}); return err }, map[string]int{"b2_list_file_names": 1}},
		{"SignedURL", func() error { _, err := b.SignedURL(ctx, "k", time.Minute); return err }, map[string]int{"b2_get_download_authorization": 1}},
		{"Delete", func() error { return b.Delete(ctx, "k") }, map[string]int{"b2_list_file_versions": 1, "b2_delete_file_version": 1}},
	}
	for _, tc := range tests {
		before := f.snapshot()
		if err := tc.fn(); err != nil {
			t.Fatalf("%s: got error %v, want nil", tc.name, err)
		}
		if got := f.callsSince(before); !maps.Equal(got, tc.want) {
			t.Errorf("%s: got calls %v, want %v", tc.name, got, tc.want)
		}
	}
	if got := f.count("b2_authorize_account"); got != 1 {
		t.Errorf("b2_authorize_account calls in all: got %d, want 1", got)
	}
}
