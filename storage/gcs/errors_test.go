package gcs

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/storage"
)

// statusServer answers every request with the given statuses in turn (the last
// one repeating) as a GCS JSON error, or with an object once 200 comes up.
type statusServer struct {
	mu       sync.Mutex
	statuses []int
	requests map[string]int
}

func (s *statusServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests[r.Method]++
	status := s.statuses[0]
	if len(s.statuses) > 1 {
		s.statuses = s.statuses[1:]
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if status == http.StatusOK {
		fmt.Fprint(w, `{"name":"k","size":"3","contentType":"text/plain","generation":"7","etag":"e","updated":"2026-01-02T03:04:05.000Z"}`)
		return
	}
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"code":%d,"message":"status %d","errors":[{"reason":"test"}]}}`, status, status)
}

func newStatusBucket(t *testing.T, statuses ...int) (*Bucket, *statusServer) {
	t.Helper()
	fake := &statusServer{statuses: statuses, requests: map[string]int{}}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	b, err := New(context.Background(), "b", Options{HTTPClient: srv.Client(), Endpoint: srv.URL + "/storage/v1/", MaxAttempts: 3})
	if err != nil {
		t.Fatal(err)
	}
	b.retry.base = time.Millisecond
	return b, fake
}

func TestServiceErrors(t *testing.T) {
	ops := map[string]func(*Bucket) error{
		"stat":   func(b *Bucket) error { _, err := b.Stat(context.Background(), "k"); return err },
		"list":   func(b *Bucket) error { _, err := b.List(context.Background(), storage.ListOptions{}); return err },
		"delete": func(b *Bucket) error { return b.Delete(context.Background(), "k") },
		"put": func(b *Bucket) error {
			_, err := b.Put(context.Background(), "k", strings.NewReader("abc"), storage.PutOptions{})
			return err
		},
	}
	tests := []struct {
		op       string
		statuses []int
		want     error
		method   string
		requests int
	}{
		{"stat", []int{404}, storage.ErrNotExist, "GET", 1},
		{"stat", []int{401}, storage.ErrPermission, "GET", 1},
		{"stat", []int{403}, storage.ErrPermission, "GET", 1},
		{"stat", []int{429}, storage.ErrUnavailable, "GET", 3},
		{"stat", []int{503}, storage.ErrUnavailable, "GET", 3},
		{"stat", []int{503, 500, 200}, nil, "GET", 3},
		{"list", []int{502}, storage.ErrUnavailable, "GET", 3},
		{"list", []int{400}, nil, "GET", 1},
		{"delete", []int{404}, storage.ErrNotExist, "DELETE", 1},
		{"delete", []int{503}, storage.ErrUnavailable, "DELETE", 1},
		{"put", []int{403}, storage.ErrPermission, "POST", 1},
		{"put", []int{503}, storage.ErrUnavailable, "POST", 1},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s %v", tc.op, tc.statuses), func(t *testing.T) {
			b, fake := newStatusBucket(t, tc.statuses...)
			err := ops[tc.op](b)
			final := tc.statuses[len(tc.statuses)-1]
			switch {
			case final == http.StatusOK && err != nil:
				t.Errorf("%s: got error %v, want nil after retries", tc.op, err)
			case final != http.StatusOK && err == nil:
				t.Errorf("%s: got nil error, want status %d reported", tc.op, final)
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Errorf("%s: got error %v, want %v", tc.op, err, tc.want)
			case err != nil && !strings.Contains(err.Error(), "gcs: "+tc.op):
				t.Errorf("%s: got error %q, want it to name the operation", tc.op, err)
			}
			if got := fake.requests[tc.method]; got != tc.requests {
				t.Errorf("%s: got %d %s requests, want %d", tc.op, got, tc.method, tc.requests)
			}
		})
	}
}
