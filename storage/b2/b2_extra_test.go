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

// opaque hides a reader's type so the upload size is unknown.
type opaque struct{ io.Reader }

func TestLargeFileUpload(t *testing.T) {
	f := newFakeB2(t)
	b := newBucket(t, f, b2.Options{ChunkSize: 256 << 10, ConcurrentUploads: 2})
	data := bytes.Repeat([]byte("large-file-part "), 70000) // 1.12 MB: 5 parts
	attrs, err := b.Put(context.Background(), "videos/big clip.mp4", opaque{bytes.NewReader(data)}, storage.PutOptions{ContentType: "video/mp4", Metadata: map[string]string{"owner": "7"}})
	if err != nil {
		t.Fatalf("Put: got error %v, want nil", err)
	}
	if attrs.Size != int64(len(data)) || attrs.Metadata["owner"] != "7" {
		t.Errorf("Put: got Size %d, Metadata %v, want %d and owner=7", attrs.Size, attrs.Metadata, len(data))
	}
	if got := f.count("b2_upload_part"); got != 5 {
		t.Errorf("b2_upload_part calls: got %d, want 5", got)
	}
	if got := f.count("b2_finish_large_file"); got != 1 {
		t.Errorf("b2_finish_large_file calls: got %d, want 1", got)
	}
	rd, err := b.Get(context.Background(), "videos/big clip.mp4", storage.GetOptions{Offset: 300000, Length: 500000})
	if err != nil {
		t.Fatalf("Get: got error %v, want nil", err)
	}
	defer rd.Close()
	got, err := io.ReadAll(rd)
	if err != nil || !bytes.Equal(got, data[300000:800000]) {
		t.Errorf("Get range: got %d bytes (err %v), want bytes 300000..800000", len(got), err)
	}
}

func TestFailedLargeUploadIsCancelled(t *testing.T) {
	f := newFakeB2(t)
	b := newBucket(t, f, b2.Options{ChunkSize: 256 << 10})
	data := bytes.Repeat([]byte("x"), 600<<10)
	_, err := b.Put(context.Background(), "partial.bin", opaque{bytes.NewReader(data)}, storage.PutOptions{Size: 1 << 20})
	if !errors.Is(err, storage.ErrSizeMismatch) {
		t.Fatalf("Put with short body: got %v, want ErrSizeMismatch", err)
	}
	f.mu.Lock()
	unfinished := len(f.large)
	f.mu.Unlock()
	if unfinished != 0 {
		t.Errorf("unfinished large files after failed Put: got %d, want 0", unfinished)
	}
	if got := f.count("b2_cancel_large_file"); got != 1 {
		t.Errorf("b2_cancel_large_file calls: got %d, want 1", got)
	}
}

func TestDeleteRemovesEveryVersion(t *testing.T) {
	f := newFakeB2(t)
	b := newBucket(t, f, b2.Options{})
	ctx := context.Background()
	for _, v := range []string{"v1", "v2", "v3"} {
		if _, err := b.Put(ctx, "doc", strings.NewReader(v), storage.PutOptions{}); err != nil {
			t.Fatalf("Put %s: got error %v, want nil", v, err)
		}
	}
	if _, err := b.Put(ctx, "doc2", strings.NewReader("other"), storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := b.Delete(ctx, "doc"); err != nil {
		t.Fatalf("Delete: got error %v, want nil", err)
	}
	if _, err := b.Stat(ctx, "doc"); !errors.Is(err, storage.ErrNotExist) {
		t.Errorf("Stat after Delete: got %v, want ErrNotExist (no older version may reappear)", err)
	}
	if got := f.count("b2_delete_file_version"); got != 3 {
		t.Errorf("b2_delete_file_version calls: got %d, want 3", got)
	}
	if _, err := b.Stat(ctx, "doc2"); err != nil {
		t.Errorf("Stat(doc2): got %v, want nil", err)
	}
}

func TestServiceErrors(t *testing.T) {
	t.Run("bad key", func(t *testing.T) {
		f := newFakeB2(t)
		_, err := b2.New(context.Background(), f.keyID, "wrong", f.bucketName, b2.Options{APIBase: f.srv.URL})
		if !errors.Is(err, storage.ErrPermission) {
			t.Errorf("New with a bad key: got %v, want ErrPermission", err)
		}
	})
	t.Run("missing bucket", func(t *testing.T) {
		f := newFakeB2(t)
		_, err := b2.New(context.Background(), f.keyID, f.key, "nope", b2.Options{APIBase: f.srv.URL})
		if !errors.Is(err, storage.ErrNotExist) {
			t.Errorf("New with a missing bucket: got %v, want ErrNotExist", err)
		}
	})
	t.Run("expired token is renewed", func(t *testing.T) {
		ctx := context.Background()
		ops := []struct {
			name string
			fn   func(*b2.Bucket) error
		}{
			{"List", func(b *b2.Bucket) error { _, err := b.List(ctx, storage.ListOptions{}); return err }},
			{"Stat", func(b *b2.Bucket) error { _, err := b.Stat(ctx, "k"); return err }},
			{"Get", func(b *b2.Bucket) error { return readAll(ctx, b, "k") }},
			{"Put", func(b *b2.Bucket) error {
				_, err := b.Put(ctx, "k2", strings.NewReader("v"), storage.PutOptions{})
				return err
			}},
		}
		for _, op := range ops {
			t.Run(op.name, func(t *testing.T) {
				f := newFakeB2(t)
				b := newBucket(t, f, b2.Options{})
				if _, err := b.Put(ctx, "k", strings.NewReader("v"), storage.PutOptions{}); err != nil {
					t.Fatal(err)
				}
				f.revokeTokens()
				before := f.count("b2_authorize_account")
				if err := op.fn(b); err != nil {
					t.Fatalf("%s with an expired token: got %v, want nil after re-authorizing", op.name, err)
				}
				if got := f.count("b2_authorize_account"); got != before+1 {
					t.Errorf("authorize calls: got %d, want %d", got, before+1)
				}
			})
		}
	})
	t.Run("503 is retried", func(t *testing.T) {
		f := newFakeB2(t)
		b := newBucket(t, f, b2.Options{})
		f.failNext("b2_list_file_names", http.StatusServiceUnavailable, http.StatusTooManyRequests)
		if _, err := b.List(context.Background(), storage.ListOptions{}); err != nil {
			t.Fatalf("List after two transient failures: got %v, want nil", err)
		}
		if got := f.count("b2_list_file_names"); got != 3 {
			t.Errorf("b2_list_file_names calls: got %d, want 3", got)
		}
	})
	t.Run("persistent 503", func(t *testing.T) {
		f := newFakeB2(t)
		b := newBucket(t, f, b2.Options{MaxAttempts: 1000})
		if _, err := b.Put(context.Background(), "k", strings.NewReader("v"), storage.PutOptions{}); err != nil {
			t.Fatal(err)
		}
		f.failNext("b2_download_file_by_name", slicesRepeat(http.StatusServiceUnavailable, 1000)...)
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		_, err := b.Stat(ctx, "k")
		if !errors.Is(err, storage.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Stat against a failing service: got %v, want ErrUnavailable and the deadline", err)
		}
	})
	t.Run("bad request is not retried", func(t *testing.T) {
		f := newFakeB2(t)
		b := newBucket(t, f, b2.Options{})
		f.failNext("b2_list_file_names", http.StatusBadRequest)
		_, err := b.List(context.Background(), storage.ListOptions{})
		if err == nil || !strings.Contains(err.Error(), "b2: list") {
			t.Errorf("List with a 400: got %v, want an error naming the operation", err)
		}
		if got := f.count("b2_list_file_names"); got != 1 {
			t.Errorf("b2_list_file_names calls: got %d, want 1", got)
		}
	})
}

func slicesRepeat(v, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func TestSignedURLScope(t *testing.T) {
	f := newFakeB2(t)
	b := newBucket(t, f, b2.Options{})
	ctx := context.Background()
	for _, k := range []string{"a/secret.txt", "b/other.txt"} {
		if _, err := b.Put(ctx, k, strings.NewReader(k), storage.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	u, err := b.SignedURL(ctx, "a/secret.txt", time.Minute)
	if err != nil {
		t.Fatalf("SignedURL: got error %v, want nil", err)
	}
	tests := []struct {
		name    string
		url     string
		advance time.Duration
		want    int
	}{
		{"valid", u, 0, http.StatusOK},
		{"other file", strings.Replace(u, "a/secret.txt", "b/other.txt", 1), 0, http.StatusUnauthorized},
		{"no token", strings.Split(u, "?")[0], 0, http.StatusUnauthorized},
		{"expired", u, 2 * time.Minute, http.StatusUnauthorized},
	}
	base := time.Now()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f.mu.Lock()
			f.now = func() time.Time { return base.Add(tc.advance) }
			f.mu.Unlock()
			resp, err := http.Get(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("GET %s: got status %d, want %d", tc.name, resp.StatusCode, tc.want)
			}
		})
	}
}

// TestDeleteDuringRead deletes an object while a chunked read of it is under
// way: the rest of the read fails with ErrNotExist instead of returning
// another version.
func TestDeleteDuringRead(t *testing.T) {
	f := newFakeB2(t)
	b := newBucket(t, f, b2.Options{DownloadChunkSize: 64 << 10})
	ctx := context.Background()
	if _, err := b.Put(ctx, "doc", bytes.NewReader(make([]byte, 200<<10)), storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	rd, err := b.Get(ctx, "doc", storage.GetOptions{})
	if err != nil {
		t.Fatalf("Get: got error %v, want nil", err)
	}
	defer rd.Close()
	if _, err := io.ReadFull(rd, make([]byte, 64<<10)); err != nil {
		t.Fatalf("reading the first chunk: got error %v, want nil", err)
	}
	if err := b.Delete(ctx, "doc"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Put(ctx, "doc", bytes.NewReader(make([]byte, 200<<10)), storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, rd)
	if !errors.Is(err, storage.ErrNotExist) {
		t.Errorf("reading after Delete: got %d bytes and error %v, want ErrNotExist", n, err)
	}
}

// TestBrokenDownloads cuts download bodies short: a read fetches the rest of
// the pinned version again and returns the exact content, and gives up with
// ErrUnavailable when the downloads keep breaking.
func TestBrokenDownloads(t *testing.T) {
	data := make([]byte, 200<<10)
	for i := range data {
		data[i] = byte(i * 7)
	}
	tests := []struct {
		name    string
		cuts    []int
		wantErr error
	}{
		{"first download cut", []int{1000}, nil},
		{"a chunk cut twice", []int{0, 70 << 10}, nil},
		{"cut, completed, cut again", []int{1000, 0, -1, 5, 0}, nil},
		{"every download cut", slicesRepeat(100, 50), storage.ErrUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeB2(t)
			b := newBucket(t, f, b2.Options{DownloadChunkSize: 80 << 10, MaxAttempts: 3})
			ctx := context.Background()
			if _, err := b.Put(ctx, "doc", bytes.NewReader(data), storage.PutOptions{}); err != nil {
				t.Fatal(err)
			}
			f.mu.Lock()
			f.cuts = tc.cuts
			f.mu.Unlock()
			rd, err := b.Get(ctx, "doc", storage.GetOptions{})
			if err != nil {
				t.Fatalf("Get: got error %v, want nil", err)
			}
			defer rd.Close()
			got, err := io.ReadAll(rd)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Errorf("ReadAll: got %d bytes and error %v, want %v", len(got), err, tc.wantErr)
				}
				return
			}
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("ReadAll: got %d bytes (equal: %v) and error %v, want the %d bytes put", len(got), bytes.Equal(got, data), err, len(data))
			}
		})
	}
}
