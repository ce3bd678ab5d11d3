package storagetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/storage"
)

// NewBucket returns a fresh, empty bucket for one test. It registers any
// cleanup with t.Cleanup. Buckets whose SignedURL is exercised must return URLs
// that http.DefaultClient can fetch.
type NewBucket func(t *testing.T) storage.Bucket

// RunBucketTests runs the conformance suite against buckets made by newBucket.
func RunBucketTests(t *testing.T, newBucket NewBucket) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(*testing.T, storage.Bucket)
	}{
		{"PutGet", testPutGet},
		{"UnknownSizeStreaming", testUnknownSize},
		{"Overwrite", testOverwrite},
		{"OverwriteDuringRead", testOverwriteDuringRead},
		{"EmptyObject", testEmptyObject},
		{"SizeMismatch", testSizeMismatch},
		{"Missing", testMissing},
		{"InvalidKey", testInvalidKey},
		{"Ranges", testRanges},
		{"Delete", testDelete},
		{"List", testList},
		{"ListPagination", testListPagination},
		{"SignedURL", testSignedURL},
		{"Concurrent", testConcurrent},
		{"CanceledContext", testCanceledContext},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newBucket(t)) })
	}
}

// opaqueReader hides the concrete type of a reader so backends cannot learn
// its size.
type opaqueReader struct{ r io.Reader }

func (o opaqueReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func put(t *testing.T, b storage.Bucket, key string, data []byte, opts storage.PutOptions) *storage.Attributes {
	t.Helper()
	attrs, err := b.Put(context.Background(), key, bytes.NewReader(data), opts)
	if err != nil {
		t.Fatalf("Put(%q): got error %v, want nil", key, err)
	}
	return attrs
}

func read(t *testing.T, b storage.Bucket, key string, opts storage.GetOptions) (*storage.Reader, []byte) {
	t.Helper()
	rd, err := b.Get(context.Background(), key, opts)
	if err != nil {
		t.Fatalf("Get(%q, %+v): got error %v, want nil", key, opts, err)
	}
	defer rd.Close()
	data, err := io.ReadAll(rd)
	if err != nil {
		t.Fatalf("Get(%q, %+v): reading: got error %v, want nil", key, opts, err)
	}
	return rd, data
}

func checkAttrs(t *testing.T, what string, got *storage.Attributes, want storage.Attributes) {
	t.Helper()
	if got.Key != want.Key {
		t.Errorf("%s: Key: got %q, want %q", what, got.Key, want.Key)
	}
	if got.Size != want.Size {
		t.Errorf("%s: Size: got %d, want %d", what, got.Size, want.Size)
	}
	if got.ContentType != want.ContentType {
		t.Errorf("%s: ContentType: got %q, want %q", what, got.ContentType, want.ContentType)
	}
	if len(got.Metadata) != len(want.Metadata) || !maps.Equal(got.Metadata, want.Metadata) {
		t.Errorf("%s: Metadata: got %v, want %v", what, got.Metadata, want.Metadata)
	}
	if got.ETag == "" {
		t.Errorf("%s: ETag: got empty, want non-empty", what)
	}
	if d := time.Since(got.Updated); d < -time.Hour || d > time.Hour {
		t.Errorf("%s: Updated: got %v, want within an hour of now", what, got.Updated)
	}
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: got error %v, want %v", what, err, want)
	}
}

func testPutGet(t *testing.T, b storage.Bucket) {
	tests := []struct {
		name string
		key  string
		data []byte
		opts storage.PutOptions
		want storage.Attributes
	}{
		{
			name: "known size with metadata",
			key:  "docs/report.txt",
			data: []byte("hello, storage"),
			opts: storage.PutOptions{ContentType: "text/plain", Size: 14, Metadata: map[string]string{"owner": "42", "kind": "report"}},
			want: storage.Attributes{ContentType: "text/plain", Metadata: map[string]string{"owner": "42", "kind": "report"}},
		},
		{
			name: "default content type",
			key:  "blob.bin",
			data: randomBytes(1000, 1),
			want: storage.Attributes{ContentType: storage.DefaultContentType, Metadata: map[string]string{}},
		},
		{
			name: "key needing escapes",
			key:  "dir with space/a+b=c&d?e%f#ü.json",
			data: []byte(`{"ok":true}`),
			opts: storage.PutOptions{ContentType: "application/json"},
			want: storage.Attributes{ContentType: "application/json", Metadata: map[string]string{}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.want.Key = tc.key
			tc.want.Size = int64(len(tc.data))
			checkAttrs(t, "Put", put(t, b, tc.key, tc.data, tc.opts), tc.want)
			st, err := b.Stat(context.Background(), tc.key)
			if err != nil {
				t.Fatalf("Stat(%q): got error %v, want nil", tc.key, err)
			}
			checkAttrs(t, "Stat", st, tc.want)
			rd, data := read(t, b, tc.key, storage.GetOptions{})
			checkAttrs(t, "Get", &rd.Attributes, tc.want)
			if !bytes.Equal(data, tc.data) {
				t.Errorf("Get(%q): got %d bytes %q, want %d bytes %q", tc.key, len(data), clip(data), len(tc.data), clip(tc.data))
			}
		})
	}
}

func clip(b []byte) []byte {
	if len(b) > 32 {
		return b[:32]
	}
	return b
}

func testUnknownSize(t *testing.T, b storage.Bucket) {
	data := randomBytes(1<<20+12345, 2)
	attrs, err := b.Put(context.Background(), "big/object", opaqueReader{bytes.NewReader(data)}, storage.PutOptions{ContentType: "video/mp4"})
	if err != nil {
		t.Fatalf("Put: got error %v, want nil", err)
	}
	if attrs.Size != int64(len(data)) {
		t.Errorf("Put: Size: got %d, want %d", attrs.Size, len(data))
	}
	_, got := read(t, b, "big/object", storage.GetOptions{})
	if sha256.Sum256(got) != sha256.Sum256(data) {
		t.Errorf("Get: got %d bytes with a different digest, want the %d bytes put", len(got), len(data))
	}
}

func testOverwrite(t *testing.T, b storage.Bucket) {
	first := put(t, b, "k", []byte("first version"), storage.PutOptions{ContentType: "text/plain", Metadata: map[string]string{"v": "1"}})
	second := put(t, b, "k", []byte("second"), storage.PutOptions{ContentType: "text/markdown"})
	if first.ETag == second.ETag {
		t.Errorf("ETag after overwrite: got %q both times, want a change", first.ETag)
	}
	rd, data := read(t, b, "k", storage.GetOptions{})
	if string(data) != "second" {
		t.Errorf("Get after overwrite: got %q, want %q", data, "second")
	}
	checkAttrs(t, "Get after overwrite", &rd.Attributes, storage.Attributes{Key: "k", Size: 6, ContentType: "text/markdown", Metadata: map[string]string{}})
}

// testOverwriteDuringRead replaces an object while a reader is part way
// through it. A backend that reads in chunks must not splice the new version
// onto the old one: the reader returns exactly the old bytes, or fails.
func testOverwriteDuringRead(t *testing.T, b storage.Bucket) {
	old := randomBytes(1<<20, 5)
	tests := []struct {
		name       string
		opts       storage.GetOptions
		start, end int
	}{
		{"whole object", storage.GetOptions{}, 0, len(old)},
		{"range", storage.GetOptions{Offset: 1000, Length: 600 << 10}, 1000, 1000 + 600<<10},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			first := put(t, b, "racy", old, storage.PutOptions{})
			want := old[tc.start:tc.end]
			rd, err := b.Get(context.Background(), "racy", tc.opts)
			if err != nil {
				t.Fatalf("Get: got error %v, want nil", err)
			}
			defer rd.Close()
			got := make([]byte, 64<<10)
			if _, err := io.ReadFull(rd, got); err != nil {
				t.Fatalf("reading the first 64 KiB: got error %v, want nil", err)
			}
			put(t, b, "racy", randomBytes(len(old), uint64(6+i)), storage.PutOptions{})
			rest, err := io.ReadAll(rd)
			if err != nil {
				// Failing is allowed; mixing versions is not.
				t.Logf("reading after the overwrite failed, as allowed: %v", err)
				return
			}
			got = append(got, rest...)
			if !bytes.Equal(got, want) {
				at := 0
				for at < min(len(got), len(want)) && got[at] == want[at] {
					at++
				}
				t.Errorf("read across an overwrite: got %d bytes that differ from the old version from byte %d on, want the %d old bytes or an error", len(got), at, len(want))
			}
			if rd.ETag != first.ETag {
				t.Errorf("Reader.ETag: got %q, want the version read, %q", rd.ETag, first.ETag)
			}
		})
	}
}

func testEmptyObject(t *testing.T, b storage.Bucket) {
	put(t, b, "empty", nil, storage.PutOptions{})
	rd, data := read(t, b, "empty", storage.GetOptions{})
	if len(data) != 0 || rd.Size != 0 {
		t.Errorf("Get(empty): got %d bytes, Size %d, want 0 and 0", len(data), rd.Size)
	}
}

func testSizeMismatch(t *testing.T, b storage.Bucket) {
	tests := []struct {
		name string
		data []byte
		size int64
	}{
		{"shorter than announced", []byte("12345"), 10},
		{"longer than announced", randomBytes(300<<10, 3), 1000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.Put(context.Background(), "mismatch", opaqueReader{bytes.NewReader(tc.data)}, storage.PutOptions{Size: tc.size})
			wantErr(t, "Put", err, storage.ErrSizeMismatch)
			_, err = b.Stat(context.Background(), "mismatch")
			wantErr(t, "Stat after failed Put", err, storage.ErrNotExist)
		})
	}
}

func testMissing(t *testing.T, b storage.Bucket) {
	ctx := context.Background()
	_, err := b.Get(ctx, "no/such/key", storage.GetOptions{})
	wantErr(t, "Get", err, storage.ErrNotExist)
	_, err = b.Get(ctx, "no/such/key", storage.GetOptions{Offset: 3, Length: 2})
	wantErr(t, "Get range", err, storage.ErrNotExist)
	_, err = b.Stat(ctx, "no/such/key")
	wantErr(t, "Stat", err, storage.ErrNotExist)
	wantErr(t, "Delete", b.Delete(ctx, "no/such/key"), storage.ErrNotExist)
}

func testInvalidKey(t *testing.T, b storage.Bucket) {
	ctx := context.Background()
	for _, key := range []string{"", "/leading-slash", "bad\x00byte", string(bytes.Repeat([]byte("x"), storage.MaxKeyLength+1))} {
		_, err := b.Put(ctx, key, bytes.NewReader([]byte("x")), storage.PutOptions{})
		wantErr(t, "Put", err, storage.ErrInvalidKey)
		_, err = b.Get(ctx, key, storage.GetOptions{})
		wantErr(t, "Get", err, storage.ErrInvalidKey)
		_, err = b.Stat(ctx, key)
		wantErr(t, "Stat", err, storage.ErrInvalidKey)
		wantErr(t, "Delete", b.Delete(ctx, key), storage.ErrInvalidKey)
		_, err = b.SignedURL(ctx, key, time.Minute)
		wantErr(t, "SignedURL", err, storage.ErrInvalidKey)
	}
}

func testRanges(t *testing.T, b storage.Bucket) {
	data := []byte("0123456789abcdefghij")
	put(t, b, "ranged", data, storage.PutOptions{ContentType: "text/plain"})
	tests := []struct {
		name    string
		opts    storage.GetOptions
		want    string
		wantErr error
	}{
		{"whole", storage.GetOptions{}, string(data), nil},
		{"prefix", storage.GetOptions{Length: 5}, "01234", nil},
		{"middle", storage.GetOptions{Offset: 3, Length: 4}, "3456", nil},
		{"suffix from offset", storage.GetOptions{Offset: 15}, "fghij", nil},
		{"last byte", storage.GetOptions{Offset: 19, Length: 1}, "j", nil},
		{"length past end", storage.GetOptions{Offset: 18, Length: 100}, "ij", nil},
		{"offset at end", storage.GetOptions{Offset: 20}, "", storage.ErrInvalidRange},
		{"offset past end", storage.GetOptions{Offset: 50, Length: 2}, "", storage.ErrInvalidRange},
		{"negative offset", storage.GetOptions{Offset: -1}, "", storage.ErrInvalidRange},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.wantErr != nil {
				_, err := b.Get(context.Background(), "ranged", tc.opts)
				wantErr(t, "Get", err, tc.wantErr)
				return
			}
			rd, got := read(t, b, "ranged", tc.opts)
			if string(got) != tc.want {
				t.Errorf("Get(%+v): got %q, want %q", tc.opts, got, tc.want)
			}
			if rd.Size != int64(len(data)) {
				t.Errorf("Get(%+v): Size: got %d, want the whole object's %d", tc.opts, rd.Size, len(data))
			}
		})
	}
}

func testDelete(t *testing.T, b storage.Bucket) {
	ctx := context.Background()
	put(t, b, "doomed", []byte("bye"), storage.PutOptions{})
	put(t, b, "kept", []byte("stay"), storage.PutOptions{})
	if err := b.Delete(ctx, "doomed"); err != nil {
		t.Fatalf("Delete: got error %v, want nil", err)
	}
	_, err := b.Stat(ctx, "doomed")
	wantErr(t, "Stat after Delete", err, storage.ErrNotExist)
	_, err = b.Get(ctx, "doomed", storage.GetOptions{})
	wantErr(t, "Get after Delete", err, storage.ErrNotExist)
	wantErr(t, "second Delete", b.Delete(ctx, "doomed"), storage.ErrNotExist)
	if _, err := b.Stat(ctx, "kept"); err != nil {
		t.Errorf("Stat(kept) after deleting another key: got error %v, want nil", err)
	}
}

// listCase is a listing and the entries it must yield.
type listCase struct {
	name         string
	opts         storage.ListOptions
	wantObjects  []string
	wantPrefixes []string
}

var listKeys = []string{"a", "b/1", "b/2", "b/c/3", "b/c/4", "bz", "c", "d/e"}

func fillList(t *testing.T, b storage.Bucket) {
	t.Helper()
	for i, k := range listKeys {
		put(t, b, k, []byte(k), storage.PutOptions{ContentType: "text/plain", Metadata: map[string]string{"n": string(rune('0' + i))}})
	}
}

func testList(t *testing.T, b storage.Bucket) {
	fillList(t, b)
	tests := []listCase{
		{"everything", storage.ListOptions{}, listKeys, nil},
		{"prefix", storage.ListOptions{Prefix: "b/"}, []string{"b/1", "b/2", "b/c/3", "b/c/4"}, nil},
		{"partial prefix", storage.ListOptions{Prefix: "b"}, []string{"b/1", "b/2", "b/c/3", "b/c/4", "bz"}, nil},
		{"delimiter", storage.ListOptions{Delimiter: "/"}, []string{"a", "bz", "c"}, []string{"b/", "d/"}},
		{"prefix and delimiter", storage.ListOptions{Prefix: "b/", Delimiter: "/"}, []string{"b/1", "b/2"}, []string{"b/c/"}},
		{"no match", storage.ListOptions{Prefix: "zzz"}, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page, err := b.List(context.Background(), tc.opts)
			if err != nil {
				t.Fatalf("List(%+v): got error %v, want nil", tc.opts, err)
			}
			if page.NextPageToken != "" {
				t.Errorf("List(%+v): NextPageToken: got %q, want empty", tc.opts, page.NextPageToken)
			}
			checkEntries(t, page.Objects, page.Prefixes, tc.wantObjects, tc.wantPrefixes)
			for _, o := range page.Objects {
				if o.Size != int64(len(o.Key)) || o.ContentType != "text/plain" {
					t.Errorf("List: %q: got Size %d, ContentType %q, want %d, text/plain", o.Key, o.Size, o.ContentType, len(o.Key))
				}
			}
		})
	}
}

func checkEntries(t *testing.T, objects []storage.Attributes, prefixes, wantObjects, wantPrefixes []string) {
	t.Helper()
	var keys []string
	for _, o := range objects {
		keys = append(keys, o.Key)
	}
	if !slices.Equal(keys, wantObjects) {
		t.Errorf("objects: got %q, want %q", keys, wantObjects)
	}
	if !slices.Equal(prefixes, wantPrefixes) {
		t.Errorf("prefixes: got %q, want %q", prefixes, wantPrefixes)
	}
}

func testListPagination(t *testing.T, b storage.Bucket) {
	fillList(t, b)
	tests := []listCase{
		{"pages of 3", storage.ListOptions{PageSize: 3}, listKeys, nil},
		{"pages of 1 with delimiter", storage.ListOptions{PageSize: 1, Delimiter: "/"}, []string{"a", "bz", "c"}, []string{"b/", "d/"}},
		{"pages of 2 under prefix", storage.ListOptions{PageSize: 2, Prefix: "b/", Delimiter: "/"}, []string{"b/1", "b/2"}, []string{"b/c/"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var objects []storage.Attributes
			var prefixes []string
			opts := tc.opts
			for pages := 1; ; pages++ {
				if pages > len(listKeys)+1 {
					t.Fatalf("List: got more than %d pages, want the listing to end", len(listKeys)+1)
				}
				page, err := b.List(context.Background(), opts)
				if err != nil {
					t.Fatalf("List page %d: got error %v, want nil", pages, err)
				}
				if n := len(page.Objects) + len(page.Prefixes); n > opts.PageSize {
					t.Errorf("List page %d: got %d entries, want at most %d", pages, n, opts.PageSize)
				}
				objects = append(objects, page.Objects...)
				prefixes = append(prefixes, page.Prefixes...)
				if page.NextPageToken == "" {
					break
				}
				opts.PageToken = page.NextPageToken
			}
			checkEntries(t, objects, prefixes, tc.wantObjects, tc.wantPrefixes)
		})
	}
}

func testSignedURL(t *testing.T, b storage.Bucket) {
	ctx := context.Background()
	data := randomBytes(5000, 4)
	key := "private/photo 1+2.jpg"
	put(t, b, key, data, storage.PutOptions{ContentType: "image/jpeg"})
	for _, d := range []time.Duration{0, -time.Minute, 500 * time.Millisecond, storage.MaxSignedURLExpiry + time.Second} {
		_, err := b.SignedURL(ctx, key, d)
		wantErr(t, "SignedURL("+d.String()+")", err, storage.ErrInvalidExpiry)
	}
	u, err := b.SignedURL(ctx, key, 10*time.Minute)
	if err != nil {
		t.Fatalf("SignedURL: got error %v, want nil", err)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET signed URL: got error %v, want nil", err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET signed URL: reading body: got error %v, want nil", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET signed URL: got status %d (%s), want 200", resp.StatusCode, clip(got))
	}
	if !bytes.Equal(got, data) {
		t.Errorf("GET signed URL: got %d bytes, want the %d bytes put", len(got), len(data))
	}
}

func testConcurrent(t *testing.T, b storage.Bucket) {
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		wg.Go(func() {
			key := "concurrent/" + strconv.Itoa(i)
			data := randomBytes(10000+i, uint64(i))
			if _, err := b.Put(context.Background(), key, bytes.NewReader(data), storage.PutOptions{}); err != nil {
				errs <- err
				return
			}
			rd, err := b.Get(context.Background(), key, storage.GetOptions{})
			if err != nil {
				errs <- err
				return
			}
			defer rd.Close()
			got, err := io.ReadAll(rd)
			if err != nil || !bytes.Equal(got, data) {
				errs <- errors.New(key + ": content differs from what was put")
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent put/get: got error %v, want nil", err)
	}
	page, err := b.List(context.Background(), storage.ListOptions{Prefix: "concurrent/"})
	if err != nil || len(page.Objects) != n {
		t.Errorf("List after concurrent puts: got %d objects (err %v), want %d", len(page.Objects), err, n)
	}
}

func testCanceledContext(t *testing.T, b storage.Bucket) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := b.Put(ctx, "canceled", bytes.NewReader([]byte("data")), storage.PutOptions{})
	wantErr(t, "Put with canceled context", err, context.Canceled)
	_, err = b.Stat(context.Background(), "canceled")
	wantErr(t, "Stat after canceled Put", err, storage.ErrNotExist)
}
