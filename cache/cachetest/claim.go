package cachetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/cache"
)

// claim calls Claim on an empty key and returns the claim.
func claim(t *testing.T, s cache.Store, key string, ttl time.Duration) string {
	t.Helper()
	v, c, err := s.Claim(context.Background(), key, ttl)
	if !errors.Is(err, cache.ErrNotFound) || c == "" {
		t.Fatalf("Claim(%q) of an empty key: got (%q, %q, %v), want a claim and ErrNotFound", key, v, c, err)
	}
	return c
}

func wantSetClaimed(t *testing.T, s cache.Store, key, c string, value []byte, want bool) {
	t.Helper()
	got, err := s.SetClaimed(context.Background(), key, c, value, time.Minute)
	if err != nil || got != want {
		t.Fatalf("SetClaimed(%q): got (%v, %v), want (%v, nil)", key, got, err, want)
	}
}

// testClaim checks the claim contract: concurrent loaders share a claim,
// SetClaimed stores only over the claim it was given, and every write,
// delete or expiry in between makes it refuse.
func testClaim(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.Store

	t.Run("stores over its own claim", func(t *testing.T) {
		c := claim(t, s, "k", time.Minute)
		if again := claim(t, s, "k", time.Minute); again != c {
			t.Fatalf("second Claim while the first holds: got %q, want the same claim %q", again, c)
		}
		wantMissing(t, s, "k") // a claim is no value
		wantSetClaimed(t, s, "k", c, []byte("loaded"), true)
		wantValue(t, s, "k", []byte("loaded"))
		v, c2, err := s.Claim(ctx, "k", time.Minute)
		if err != nil || string(v) != "loaded" || c2 != "" {
			t.Fatalf("Claim of a key with a value: got (%q, %q, %v), want (loaded, \"\", nil)", v, c2, err)
		}
		wantSetClaimed(t, s, "k", c, []byte("again"), false)
		wantValue(t, s, "k", []byte("loaded"))
	})

	invalidations := []struct {
		name      string
		do        func(t *testing.T, key string)
		wantValue []byte // nil: the key is empty afterwards
	}{
		{"Set", func(t *testing.T, key string) { mustSet(t, s, key, []byte("written")) }, []byte("written")},
		{"Delete", func(t *testing.T, key string) {
			if err := s.Delete(ctx, key); err != nil {
				t.Fatalf("Delete: %v", err)
			}
		}, nil},
		{"DeleteTag", func(t *testing.T, key string) {
			if err := s.DeleteTag(ctx, "tag:"+key); err != nil {
				t.Fatalf("DeleteTag: %v", err)
			}
		}, nil},
		{"DeletePrefix", func(t *testing.T, key string) {
			if err := s.DeletePrefix(ctx, key); err != nil {
				t.Fatalf("DeletePrefix: %v", err)
			}
		}, nil},
	}
	for _, inv := range invalidations {
		t.Run("refuses after "+inv.name, func(t *testing.T) {
			key := "inv:" + inv.name
			// Tagged once, then emptied: a tag outlives its key's value.
			mustSet(t, s, key, []byte("before"), "tag:"+key)
			if err := s.Delete(ctx, key); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			c := claim(t, s, key, time.Minute)
			inv.do(t, key)
			wantSetClaimed(t, s, key, c, []byte("stale"), false)
			if inv.wantValue == nil {
				wantMissing(t, s, key)
				if next := claim(t, s, key, time.Minute); next == c {
					t.Fatalf("Claim after %s: got the old claim %q again, want a new one", inv.name, c)
				}
				return
			}
			wantValue(t, s, key, inv.wantValue)
		})
	}

	t.Run("refuses after the claim expired", func(t *testing.T) {
		const ttl = 50 * time.Millisecond
		c := claim(t, s, "exp", ttl)
		if b.Advance != nil {
			b.Advance(2 * ttl)
		} else {
			deadline := time.Now().Add(5 * time.Second)
			// A Claim with a shorter ttl never extends the first one.
			for claim(t, s, "exp", time.Millisecond) == c {
				if time.Now().After(deadline) {
					t.Fatalf("claim with TTL %v still held after 5s", ttl)
				}
				time.Sleep(5 * time.Millisecond) // real-time expiry: nothing to observe but the clock
			}
		}
		wantSetClaimed(t, s, "exp", c, []byte("late"), false)
		wantMissing(t, s, "exp")
	})

	t.Run("refuses a claim it did not hand out", func(t *testing.T) {
		claim(t, s, "foreign", time.Minute)
		for _, c := range []string{"", "x", "vvalue"} {
			wantSetClaimed(t, s, "foreign", c, []byte("v"), false)
		}
		wantMissing(t, s, "foreign")
	})

	t.Run("invalid arguments", func(t *testing.T) {
		cases := []struct {
			name string
			call func() error
			want error
		}{
			{"Claim empty key", func() error { _, _, err := s.Claim(ctx, "", time.Minute); return err }, cache.ErrInvalidKey},
			{"Claim zero TTL", func() error { _, _, err := s.Claim(ctx, "k", 0); return err }, cache.ErrInvalidTTL},
			{"SetClaimed empty key", func() error { _, err := s.SetClaimed(ctx, "", "c", []byte("v"), time.Minute); return err }, cache.ErrInvalidKey},
			{"SetClaimed zero TTL", func() error { _, err := s.SetClaimed(ctx, "k", "c", []byte("v"), 0); return err }, cache.ErrInvalidTTL},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				if err := tc.call(); !errors.Is(err, tc.want) {
					t.Fatalf("got error %v, want %v", err, tc.want)
				}
			})
		}
	})
}
