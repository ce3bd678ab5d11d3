package memory_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/storage"
	"github.com/groundwork-go/groundwork/storage/memory"
	"github.com/groundwork-go/groundwork/storage/storagetest"
)

func newServedMemoryBucket(t *testing.T, now func() time.Time) (*memory.Bucket, *httptest.Server) {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	b := memory.New(memory.Options{BaseURL: srv.URL + "/files", Now: now})
	mux.Handle("/files/", http.StripPrefix("/files", b))
	return b, srv
}

func TestMemoryBucketConformance(t *testing.T) {
	storagetest.RunBucketTests(t, func(t *testing.T) storage.Bucket {
		b, _ := newServedMemoryBucket(t, nil)
		return b
	})
}

func TestMemorySignedURLRejected(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func() time.Time { return now }
	b, _ := newServedMemoryBucket(t, clock)
	ctx := context.Background()
	if _, err := b.Put(ctx, "secret.txt", strings.NewReader("top secret"), storage.PutOptions{}); err != nil {
		t.Fatalf("Put: got error %v, want nil", err)
	}
	good, err := b.SignedURL(ctx, "secret.txt", time.Minute)
	if err != nil {
		t.Fatalf("SignedURL: got error %v, want nil", err)
	}
	missing, err := b.SignedURL(ctx, "gone.txt", time.Minute)
	if err != nil {
		t.Fatalf("SignedURL: got error %v, want nil", err)
	}
	tests := []struct {
		name    string
		url     string
		method  string
		advance time.Duration
		want    int
	}{
		{"valid", good, http.MethodGet, 0, http.StatusOK},
		{"valid head", good, http.MethodHead, 0, http.StatusOK},
		{"post", good, http.MethodPost, 0, http.StatusMethodNotAllowed},
		{"tampered signature", good[:len(good)-2] + "00", http.MethodGet, 0, http.StatusForbidden},
		{"other key", strings.Replace(good, "secret.txt", "other.txt", 1), http.MethodGet, 0, http.StatusForbidden},
		{"extended expiry", strings.Replace(good, "expires=", "expires=9", 1), http.MethodGet, 0, http.StatusForbidden},
		{"expired", good, http.MethodGet, time.Minute, http.StatusForbidden},
		{"missing object", missing, http.MethodGet, 0, http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Add(tc.advance)
			req, err := http.NewRequest(tc.method, tc.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("%s: got error %v, want nil", tc.method, err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("%s %s: got status %d, want %d", tc.method, tc.name, resp.StatusCode, tc.want)
			}
		})
	}
}

func TestMemorySignedURLNotConfigured(t *testing.T) {
	b := memory.New(memory.Options{})
	if _, err := b.SignedURL(context.Background(), "k", time.Minute); !errors.Is(err, storage.ErrNotSupported) {
		t.Errorf("SignedURL without BaseURL: got %v, want ErrNotSupported", err)
	}
}

func TestPageTokenRejectsGarbage(t *testing.T) {
	b := memory.New(memory.Options{})
	if _, err := b.List(t.Context(), storage.ListOptions{PageToken: "%%%"}); err == nil {
		t.Error("List with a malformed token: got nil error, want one")
	}
}
