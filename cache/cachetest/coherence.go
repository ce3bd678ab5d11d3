package cachetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/cache"
)

// waitBound turns a load that hangs (a caller that joined a load held on
// purpose) into a test failure instead of a stuck test.
const waitBound = 10 * time.Second

type loaded struct {
	v   string
	err error
}

// slowLoad starts GetOrLoad of key on c with a loader that reports when it
// has read its (old) data and then waits for release. The result arrives
// on the returned channel.
func slowLoad(c *cache.Typed[string], key string) (reading, release chan struct{}, done chan loaded) {
	reading, release, done = make(chan struct{}), make(chan struct{}), make(chan loaded, 1)
	go func() {
		v, err := c.GetOrLoad(context.Background(), key, func(context.Context) (string, error) {
			close(reading)
			<-release
			return "old", nil
		})
		done <- loaded{v, err}
	}()
	return reading, release, done
}

// testLoadCoherence is the cache-aside race: a load reads the old data,
// the data changes and the key is invalidated (Delete, Set, DeleteTag or
// DeletePrefix) while the load is still running, in this process or in
// another one sharing the backend. A GetOrLoad that starts after the
// invalidation returned must not share the old load, and the old load must
// not store its result afterwards. The loader is held on a channel, so the
// interleaving is exact.
func testLoadCoherence(t *testing.T, b Backend) {
	type process struct {
		name  string
		store cache.Store
	}
	writers := []process{{"same process", b.Store}}
	if b.Other != nil {
		writers = append(writers, process{"other process", b.Other})
	}
	invalidations := []struct {
		name string
		do   func(ctx context.Context, s cache.Store, c *cache.Typed[string], key string) error
		want string // what the key holds afterwards ("" for nothing)
	}{
		{"Delete", func(ctx context.Context, _ cache.Store, c *cache.Typed[string], key string) error {
			return c.Delete(ctx, key)
		}, ""},
		{"Set", func(ctx context.Context, _ cache.Store, c *cache.Typed[string], key string) error {
			return c.Set(ctx, key, "new")
		}, "new"},
		{"DeleteTag", func(ctx context.Context, s cache.Store, _ *cache.Typed[string], key string) error {
			return s.DeleteTag(ctx, "tag:"+key)
		}, ""},
		{"DeletePrefix", func(ctx context.Context, s cache.Store, _ *cache.Typed[string], key string) error {
			return s.DeletePrefix(ctx, key)
		}, ""},
	}
	for _, w := range writers {
		for _, inv := range invalidations {
			for _, later := range []bool{false, true} {
				name := w.name + "/" + inv.name
				if later {
					name += "/then GetOrLoad"
				}
				t.Run(name, func(t *testing.T) {
					ctx := context.Background()
					key := "coherence:" + name
					reader := cache.NewTyped[string](b.Store, cache.TypedOptions{TTL: time.Minute})
					writer := cache.NewTyped[string](w.store, cache.TypedOptions{TTL: time.Minute})
					// A value tagged earlier and deleted: the tag set still
					// names the key, as after any value's deletion.
					if err := writer.Set(ctx, key, "before", "tag:"+key); err != nil {
						t.Fatalf("Set: %v", err)
					}
					if err := writer.Delete(ctx, key); err != nil {
						t.Fatalf("Delete: %v", err)
					}

					reading, release, oldDone := slowLoad(reader, key)
					<-reading
					if err := inv.do(ctx, w.store, writer, key); err != nil {
						t.Fatalf("%s: %v", inv.name, err)
					}
					want := inv.want
					if later {
						// Started after the invalidation returned: it must
						// not wait for the old load, which is still held.
						lctx, cancel := context.WithTimeout(ctx, waitBound)
						defer cancel()
						got, err := reader.GetOrLoad(lctx, key, func(context.Context) (string, error) { return "fresh", nil })
						if want == "" {
							want = "fresh"
						}
						if err != nil || got != want {
							t.Fatalf("GetOrLoad after %s: got (%q, %v), want %q (not the load that started before)", inv.name, got, err, want)
						}
					}
					close(release)
					if r := <-oldDone; r.err != nil || r.v != "old" {
						t.Fatalf("the old load's caller: got (%q, %v), want \"old\"", r.v, r.err)
					}
					wantFresh(t, b.Store, key, want)
					if b.Other != nil {
						wantFresh(t, b.Other, key, want)
					}
				})
			}
		}
	}
}

// wantFresh checks what the backend itself holds under key (Claim reads
// past any process-local copy): want, or nothing when want is "".
func wantFresh(t *testing.T, s cache.Store, key, want string) {
	t.Helper()
	got, _, err := s.Claim(context.Background(), key, time.Minute)
	switch {
	case want == "" && !errors.Is(err, cache.ErrNotFound):
		t.Fatalf("%q after the old load ended: got (%q, %v), want nothing stored", key, got, err)
	case want == "":
	case err != nil || string(got) != `"`+want+`"`:
		t.Fatalf("%q after the old load ended: got (%q, %v), want %q", key, got, err, `"`+want+`"`)
	}
}
