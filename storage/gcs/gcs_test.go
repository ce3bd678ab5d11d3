package gcs_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fsouza/fake-gcs-server/fakestorage"

	"github.com/groundwork-go/groundwork/storage"
	"github.com/groundwork-go/groundwork/storage/gcs"
	"github.com/groundwork-go/groundwork/storage/storagetest"
)

const testBucket = "groundwork-test"

// newFakeServer starts fake-gcs-server in-process on a loopback listener and
// creates the test bucket. Signed URLs are served path-style on the same port.
func newFakeServer(t *testing.T) *fakestorage.Server {
	t.Helper()
	srv, err := fakestorage.NewServerWithOptions(fakestorage.Options{
		Scheme:     "http",
		Host:       "127.0.0.1",
		PublicHost: "127.0.0.1",
		Writer:     io.Discard,
	})
	if err != nil {
		t.Fatalf("starting fake-gcs-server: %v", err)
	}
	t.Cleanup(srv.Stop)
	srv.CreateBucket(testBucket)
	return srv
}

func testSigner(t *testing.T) *gcs.KeySigner {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gcs.NewKeySigner("tester@project.iam.gserviceaccount.com", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err != nil {
		t.Fatalf("NewKeySigner: got error %v, want nil", err)
	}
	return s
}

func newBucket(t *testing.T, srv *fakestorage.Server, signer gcs.Signer, chunk int) *gcs.Bucket {
	t.Helper()
	// Talk to the fake over a real loopback connection (its HTTPClient
	// short-circuits the network and ignores request contexts).
	return newBucketWithClient(t, srv, &http.Client{}, signer, chunk)
}

func newBucketWithClient(t *testing.T, srv *fakestorage.Server, client *http.Client, signer gcs.Signer, chunk int) *gcs.Bucket {
	t.Helper()
	u, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	b, err := gcs.New(context.Background(), testBucket, gcs.Options{
		HTTPClient:      client,
		Endpoint:        srv.URL() + "/storage/v1/",
		ChunkSize:       chunk,
		Signer:          signer,
		SignedURLScheme: "http",
		SignedURLHost:   u.Host,
	})
	if err != nil {
		t.Fatalf("gcs.New: got error %v, want nil", err)
	}
	return b
}

func TestConformance(t *testing.T) {
	signer := testSigner(t)
	storagetest.RunBucketTests(t, func(t *testing.T) storage.Bucket {
		return newBucket(t, newFakeServer(t), signer, 256<<10)
	})
}

// countingReader counts the bytes the client pulls from the upload body.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// uploadRecorder records the upload protocol of each request it forwards.
type uploadRecorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen []string
}

func (u *uploadRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	u.mu.Lock()
	switch {
	case r.Header.Get("Content-Range") != "":
		u.seen = append(u.seen, "chunk "+r.Header.Get("Content-Range"))
	case r.URL.Query().Get("uploadType") != "":
		u.seen = append(u.seen, r.Method+" "+r.URL.Query().Get("uploadType"))
	}
	u.mu.Unlock()
	return u.next.RoundTrip(r)
}

func TestResumableUpload(t *testing.T) {
	srv := newFakeServer(t)
	rec := &uploadRecorder{next: http.DefaultTransport}
	b := newBucketWithClient(t, srv, &http.Client{Transport: rec}, nil, 256<<10)
	data := bytes.Repeat([]byte("0123456789abcdef"), (3<<20)/16+7)
	body := &countingReader{r: data2reader(data)}
	attrs, err := b.Put(context.Background(), "big/resumable.bin", body, storage.PutOptions{ContentType: "application/x-test"})
	if err != nil {
		t.Fatalf("Put: got error %v, want nil", err)
	}
	if attrs.Size != int64(len(data)) || body.n.Load() != int64(len(data)) {
		t.Errorf("Put: got Size %d after reading %d bytes, want %d", attrs.Size, body.n.Load(), len(data))
	}
	// 3 MiB + 112 bytes in 256 KiB chunks: one session start, then 13 chunks.
	want := []string{"POST resumable"}
	const chunk = 256 << 10
	for off := 0; off < len(data); off += chunk {
		end := min(off+chunk, len(data))
		total := "*"
		if end == len(data) {
			total = strconv.Itoa(len(data))
		}
		want = append(want, fmt.Sprintf("chunk bytes %d-%d/%s", off, end-1, total))
	}
	if !slices.Equal(rec.seen, want) {
		t.Errorf("upload requests: got %q, want %q", rec.seen, want)
	}
	obj, err := srv.GetObject(testBucket, "big/resumable.bin")
	if err != nil {
		t.Fatalf("fake GetObject: got error %v, want nil", err)
	}
	if !bytes.Equal(obj.Content, data) {
		t.Errorf("stored content: got %d bytes, want the %d bytes put", len(obj.Content), len(data))
	}
	if obj.ContentType != "application/x-test" {
		t.Errorf("stored content type: got %q, want application/x-test", obj.ContentType)
	}
}

func data2reader(b []byte) io.Reader { return struct{ io.Reader }{bytes.NewReader(b)} }

func TestSignedURLNeedsSigner(t *testing.T) {
	b := newBucket(t, newFakeServer(t), nil, 0)
	_, err := b.SignedURL(context.Background(), "k", time.Minute)
	if !errors.Is(err, storage.ErrNotSupported) {
		t.Errorf("SignedURL without signer: got %v, want ErrNotSupported", err)
	}
}
