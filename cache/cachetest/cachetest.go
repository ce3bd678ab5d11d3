// Package cachetest is the conformance suite for cache.Store
// implementations. Every backend's tests call RunStoreTests with a function
// that returns a fresh, empty store:
//
//	func TestConformance(t *testing.T) {
//		cachetest.RunStoreTests(t, func(t *testing.T) cachetest.Backend {
//			return cachetest.Backend{Store: cache.NewMemoryStore(cache.MemoryOptions{})}
//		})
//	}
//
// The suite checks the contract documented on cache.Store: round trips of
// binary and empty values, misses, overwrites, copies on read, expiry,
// deletes by key, tag and literal prefix, argument validation, concurrent
// use, and claims: with cache.Typed on the store, a load that started
// before a Set, Delete, DeleteTag or DeletePrefix of its key (in this
// process or, when Backend.Other is set, in another) never stores its
// result afterwards, and a GetOrLoad that starts after the invalidation
// returned never shares that load.
package cachetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/cache"
)

// Backend is a fresh store for one test and a way to move its clock.
type Backend struct {
	// Store is empty; its keys must not collide with other tests'.
	Store cache.Store
	// Advance, when non-nil, moves the backend's clock forward by d (a fake
	// clock or miniredis FastForward). When nil the suite waits in real
	// time for values to expire.
	Advance func(d time.Duration)
	// Other, when non-nil, is a second store on the same backend and key
	// space with its own connection, standing in for another process. The
	// coherence tests then also invalidate through it. Nil for backends
	// that one process cannot share (MemoryStore).
	Other cache.Store
}

// NewBackend returns a fresh backend for one test, registering any cleanup
// with t.Cleanup.
type NewBackend func(t *testing.T) Backend

// RunStoreTests runs the conformance suite against stores made by newStore.
func RunStoreTests(t *testing.T, newStore NewBackend) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(*testing.T, Backend)
	}{
		{"SetGet", testSetGet},
		{"Missing", testMissing},
		{"Overwrite", testOverwrite},
		{"GetReturnsCopy", testGetReturnsCopy},
		{"Expiry", testExpiry},
		{"Delete", testDelete},
		{"DeleteTag", testDeleteTag},
		{"DeletePrefix", testDeletePrefix},
		{"InvalidArguments", testInvalidArguments},
		{"Concurrent", testConcurrent},
		{"Claim", testClaim},
		{"LoadCoherence", testLoadCoherence},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore(t)) })
	}
}

func mustSet(t *testing.T, s cache.Store, key string, value []byte, tags ...string) {
	t.Helper()
	if err := s.Set(context.Background(), key, value, time.Minute, tags...); err != nil {
		t.Fatalf("Set(%q): got error %v, want nil", key, err)
	}
}

func wantValue(t *testing.T, s cache.Store, key string, want []byte) {
	t.Helper()
	got, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%q): got error %v, want value %q", key, err, want)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Get(%q): got %q, want %q", key, got, want)
	}
}

func wantMissing(t *testing.T, s cache.Store, key string) {
	t.Helper()
	got, err := s.Get(context.Background(), key)
	if !errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("Get(%q): got (%q, %v), want ErrNotFound", key, got, err)
	}
}

func testSetGet(t *testing.T, b Backend) {
	cases := []struct {
		name  string
		key   string
		value []byte
	}{
		{"text", "user:1", []byte(`{"id":1,"name":"Ada"}`)},
		{"binary", "bin", []byte{0, 1, 2, 0xff, 0, '\r', '\n'}},
		{"empty", "empty", []byte{}},
		{"unicode key", "ключ:✓", []byte("v")},
		{"glob characters in key", "a*b?[c]\\", []byte("g")},
		{"large", "large", bytes.Repeat([]byte("0123456789"), 100000)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mustSet(t, b.Store, tc.key, tc.value)
			wantValue(t, b.Store, tc.key, tc.value)
		})
	}
}

func testMissing(t *testing.T, b Backend) {
	wantMissing(t, b.Store, "never-set")
}

func testOverwrite(t *testing.T, b Backend) {
	for i := range 5 {
		v := []byte(fmt.Sprintf("v%d", i))
		mustSet(t, b.Store, "k", v)
		wantValue(t, b.Store, "k", v)
	}
}

func testGetReturnsCopy(t *testing.T, b Backend) {
	mustSet(t, b.Store, "k", []byte("abc"))
	got, err := b.Store.Get(context.Background(), "k")
	if err != nil {
		t.Fatalf("Get: got error %v, want nil", err)
	}
	got[0] = 'X'
	wantValue(t, b.Store, "k", []byte("abc"))
}

func testExpiry(t *testing.T, b Backend) {
	ctx := context.Background()
	const ttl = 50 * time.Millisecond
	if err := b.Store.Set(ctx, "short", []byte("s"), ttl); err != nil {
		t.Fatalf("Set: got error %v, want nil", err)
	}
	mustSet(t, b.Store, "long", []byte("l"))
	wantValue(t, b.Store, "short", []byte("s"))
	if b.Advance != nil {
		b.Advance(2 * ttl)
	} else {
		deadline := time.Now().Add(5 * time.Second)
		for {
			if _, err := b.Store.Get(ctx, "short"); errors.Is(err, cache.ErrNotFound) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("value with TTL %v still present after 5s", ttl)
			}
			time.Sleep(5 * time.Millisecond) // real-time expiry: nothing to observe but the clock
		}
	}
	wantMissing(t, b.Store, "short")
	wantValue(t, b.Store, "long", []byte("l"))
}

func testDelete(t *testing.T, b Backend) {
	ctx := context.Background()
	for _, k := range []string{"a", "b", "c"} {
		mustSet(t, b.Store, k, []byte(k))
	}
	if err := b.Store.Delete(ctx, "a", "c", "not-there"); err != nil {
		t.Fatalf("Delete: got error %v, want nil", err)
	}
	wantMissing(t, b.Store, "a")
	wantMissing(t, b.Store, "c")
	wantValue(t, b.Store, "b", []byte("b"))
	if err := b.Store.Delete(ctx); err != nil {
		t.Fatalf("Delete(): got error %v, want nil", err)
	}
}

func testDeleteTag(t *testing.T, b Backend) {
	ctx := context.Background()
	mustSet(t, b.Store, "u1:profile", []byte("p1"), "user:1")
	mustSet(t, b.Store, "u1:settings", []byte("s1"), "user:1", "settings")
	mustSet(t, b.Store, "u2:profile", []byte("p2"), "user:2")
	mustSet(t, b.Store, "u2:settings", []byte("s2"), "user:2", "settings")
	mustSet(t, b.Store, "untagged", []byte("x"))
	for i := range 600 { // more than one batch of a backend's tag scan
		mustSet(t, b.Store, fmt.Sprintf("bulk:%d", i), []byte("b"), "bulk")
	}

	if err := b.Store.DeleteTag(ctx, "user:1"); err != nil {
		t.Fatalf("DeleteTag(user:1): got error %v, want nil", err)
	}
	wantMissing(t, b.Store, "u1:profile")
	wantMissing(t, b.Store, "u1:settings")
	wantValue(t, b.Store, "u2:profile", []byte("p2"))
	wantValue(t, b.Store, "u2:settings", []byte("s2"))

	if err := b.Store.DeleteTag(ctx, "settings", "bulk", "unknown-tag"); err != nil {
		t.Fatalf("DeleteTag(settings, bulk): got error %v, want nil", err)
	}
	wantMissing(t, b.Store, "u2:settings")
	wantValue(t, b.Store, "u2:profile", []byte("p2"))
	wantValue(t, b.Store, "untagged", []byte("x"))
	for _, i := range []int{0, 255, 256, 599} {
		wantMissing(t, b.Store, fmt.Sprintf("bulk:%d", i))
	}

	// A tag is gone once deleted: a key tagged again afterwards is
	// deleted by the next DeleteTag, and untagged keys are never touched.
	mustSet(t, b.Store, "u1:profile", []byte("p1b"), "user:1")
	wantValue(t, b.Store, "u1:profile", []byte("p1b"))
	if err := b.Store.DeleteTag(ctx, "user:1"); err != nil {
		t.Fatalf("DeleteTag(user:1) again: got error %v, want nil", err)
	}
	wantMissing(t, b.Store, "u1:profile")
	wantValue(t, b.Store, "untagged", []byte("x"))
}

func testDeletePrefix(t *testing.T, b Backend) {
	ctx := context.Background()
	keys := []string{"user:1", "user:2", "user:10", "users", "org:1", "a*b:1", "axb:1", "a?b", "a[b]"}
	for _, k := range keys {
		mustSet(t, b.Store, k, []byte(k))
	}
	if err := b.Store.DeletePrefix(ctx, "user:"); err != nil {
		t.Fatalf("DeletePrefix(user:): got error %v, want nil", err)
	}
	for _, k := range []string{"user:1", "user:2", "user:10"} {
		wantMissing(t, b.Store, k)
	}
	wantValue(t, b.Store, "users", []byte("users"))
	wantValue(t, b.Store, "org:1", []byte("org:1"))

	// The prefix is literal, never a pattern.
	if err := b.Store.DeletePrefix(ctx, "a*b"); err != nil {
		t.Fatalf("DeletePrefix(a*b): got error %v, want nil", err)
	}
	wantMissing(t, b.Store, "a*b:1")
	wantValue(t, b.Store, "axb:1", []byte("axb:1"))
	if err := b.Store.DeletePrefix(ctx, "a["); err != nil {
		t.Fatalf("DeletePrefix(a[): got error %v, want nil", err)
	}
	wantMissing(t, b.Store, "a[b]")
	wantValue(t, b.Store, "a?b", []byte("a?b"))
}

func testInvalidArguments(t *testing.T, b Backend) {
	ctx := context.Background()
	cases := []struct {
		name string
		call func() error
		want error
	}{
		{"Set empty key", func() error { return b.Store.Set(ctx, "", []byte("v"), time.Minute) }, cache.ErrInvalidKey},
		{"Set zero TTL", func() error { return b.Store.Set(ctx, "k", []byte("v"), 0) }, cache.ErrInvalidTTL},
		{"Set negative TTL", func() error { return b.Store.Set(ctx, "k", []byte("v"), -time.Second) }, cache.ErrInvalidTTL},
		{"Set empty tag", func() error { return b.Store.Set(ctx, "k", []byte("v"), time.Minute, "") }, cache.ErrInvalidKey},
		{"Delete empty key", func() error { return b.Store.Delete(ctx, "a", "") }, cache.ErrInvalidKey},
		{"DeleteTag empty tag", func() error { return b.Store.DeleteTag(ctx, "") }, cache.ErrInvalidKey},
		{"DeletePrefix empty prefix", func() error { return b.Store.DeletePrefix(ctx, "") }, cache.ErrInvalidKey},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, tc.want) {
				t.Fatalf("got error %v, want %v", err, tc.want)
			}
		})
	}
	wantMissing(t, b.Store, "k")
}

func testConcurrent(t *testing.T, b Backend) {
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				key := fmt.Sprintf("c:%d", i%5)
				v := []byte(fmt.Sprintf("g%d-%d", g, i))
				if err := b.Store.Set(ctx, key, v, time.Minute, "conc"); err != nil {
					errs <- err
					return
				}
				if _, err := b.Store.Get(ctx, key); err != nil && !errors.Is(err, cache.ErrNotFound) {
					errs <- err
					return
				}
				if i%10 == 0 {
					if err := b.Store.Delete(ctx, key); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent use: got error %v, want nil", err)
	}
	if err := b.Store.DeleteTag(ctx, "conc"); err != nil {
		t.Fatalf("DeleteTag: got error %v, want nil", err)
	}
	for i := range 5 {
		wantMissing(t, b.Store, fmt.Sprintf("c:%d", i))
	}
}
