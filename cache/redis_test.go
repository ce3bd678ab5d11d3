package cache_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/groundwork-go/groundwork/cache"
	"github.com/groundwork-go/groundwork/cache/cachetest"
	"github.com/groundwork-go/groundwork/internal/testenv"
)

func disableCache(o *rueidis.ClientOption) { o.DisableCache = true }

// redisBackend builds a conformance backend on srv with a client made with
// modify.
func redisBackend(t *testing.T, srv *testenv.RedisServer, modify ...func(*rueidis.ClientOption)) cachetest.Backend {
	opts := cache.RedisOptions{Prefix: srv.Prefix + "cache:"}
	b := cachetest.Backend{
		Store: cache.NewRedisStore(srv.Client(t, modify...), opts),
		Other: cache.NewRedisStore(srv.Client(t, modify...), opts),
	}
	if srv.Mini != nil {
		b.Advance = srv.Mini.FastForward
	}
	return b
}

func TestRedisConformance(t *testing.T) {
	cases := []struct {
		name   string
		server func(testing.TB) *testenv.RedisServer
		modify []func(*rueidis.ClientOption)
	}{
		{"ClientCache", testenv.Redis, nil},
		{"DisableCache", testenv.Redis, []func(*rueidis.ClientOption){disableCache}},
		{"Cluster", testenv.RedisCluster, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.server(t) // skips the group when the server is unavailable
			cachetest.RunStoreTests(t, func(t *testing.T) cachetest.Backend {
				return redisBackend(t, tc.server(t), tc.modify...)
			})
		})
	}
}

// newStores returns two stores on separate clients (standing in for two
// processes) sharing one key space.
func newStores(t *testing.T, srv *testenv.RedisServer) (a, b *cache.RedisStore) {
	t.Helper()
	opts := cache.RedisOptions{Prefix: srv.Prefix + "cache:"}
	return cache.NewRedisStore(srv.Client(t), opts), cache.NewRedisStore(srv.Client(t), opts)
}

// TestRedisReadYourWrites writes and immediately reads a hot key many
// times. With client-side caching, Redis sends the invalidation of the
// client's cached copy after the SET reply, so without the store's own
// bookkeeping a few percent of these reads return the previous value.
func TestRedisReadYourWrites(t *testing.T) {
	for _, srv := range servers(t) {
		t.Run(srv.name, func(t *testing.T) {
			s, other := newStores(t, srv.srv)
			ctx := context.Background()
			for i := range 2000 {
				want := fmt.Sprintf("v%d", i)
				if err := s.Set(ctx, "hot", []byte(want), time.Minute); err != nil {
					t.Fatalf("Set: %v", err)
				}
				for range 3 {
					got, err := s.Get(ctx, "hot")
					if err != nil || string(got) != want {
						t.Fatalf("iteration %d: Get after own Set: got (%q, %v), want %q", i, got, err, want)
					}
				}
				if i%100 == 0 {
					if err := s.Delete(ctx, "hot"); err != nil {
						t.Fatalf("Delete: %v", err)
					}
					if got, err := s.Get(ctx, "hot"); !errors.Is(err, cache.ErrNotFound) {
						t.Fatalf("iteration %d: Get after own Delete: got (%q, %v), want ErrNotFound", i, got, err)
					}
				}
				// Another process's write invalidates our copy; our own
				// later write must still win immediately.
				if i%250 == 0 {
					if err := other.Set(ctx, "hot", []byte("other"), time.Minute); err != nil {
						t.Fatalf("other Set: %v", err)
					}
				}
			}
		})
	}
}

type namedServer struct {
	name string
	srv  *testenv.RedisServer
}

// servers returns the Redis servers available to this run: REDIS_URL or
// miniredis, and the Cluster when REDIS_CLUSTER_URL is set.
func servers(t *testing.T) []namedServer {
	t.Helper()
	out := []namedServer{{"Redis", testenv.Redis(t)}}
	if os.Getenv("REDIS_CLUSTER_URL") != "" {
		out = append(out, namedServer{"Cluster", testenv.RedisCluster(t)})
	}
	return out
}

// TestRedisInvalidationAcrossClients measures how long a write by one
// process takes to reach a reader in another process that holds the key in
// its client-side cache (which, uninvalidated, would serve the old value for
// a minute). The median must be under 100 ms; a single round may take up to
// a second, since a loaded CI machine can stall any process for a while.
func TestRedisInvalidationAcrossClients(t *testing.T) {
	const bound, medianBound = time.Second, 100 * time.Millisecond
	for _, srv := range servers(t) {
		t.Run(srv.name, func(t *testing.T) {
			reader, writer := newStores(t, srv.srv)
			ctx := context.Background()
			if err := writer.Set(ctx, "shared", []byte("v0"), time.Minute); err != nil {
				t.Fatalf("Set: %v", err)
			}
			const rounds = 50
			var took []time.Duration
			for i := 1; i <= rounds; i++ {
				prev := fmt.Sprintf("v%d", i-1)
				if got, err := reader.Get(ctx, "shared"); err != nil || string(got) != prev {
					t.Fatalf("reader warm-up: got (%q, %v), want %q", got, err, prev)
				}
				want := fmt.Sprintf("v%d", i)
				start := time.Now()
				if err := writer.Set(ctx, "shared", []byte(want), time.Minute); err != nil {
					t.Fatalf("Set: %v", err)
				}
				for {
					got, err := reader.Get(ctx, "shared")
					if err != nil {
						t.Fatalf("reader Get: %v", err)
					}
					if string(got) == want {
						break
					}
					if string(got) != prev {
						t.Fatalf("reader Get: got %q, want %q or %q", got, prev, want)
					}
					if time.Since(start) > bound {
						t.Fatalf("round %d: reader still sees %q %v after the write, want the new value within %v", i, got, time.Since(start), bound)
					}
					runtime.Gosched() // let the client's reader deliver the invalidation
				}
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			if took[rounds/2] > medianBound {
				t.Errorf("median time for a write to reach another client: got %v, want under %v", took[rounds/2], medianBound)
			}
			t.Logf("write visible to another client (from the start of the write): median %v, worst %v over %d rounds (client-side cache: %v)",
				took[rounds/2], took[rounds-1], rounds, srv.srv.Real)
		})
	}
}

// TestRedisDeleteTagAcrossClients checks that a tag deletion in one process
// invalidates cached copies in another.
func TestRedisDeleteTagAcrossClients(t *testing.T) {
	srv := testenv.Redis(t)
	reader, writer := newStores(t, srv)
	ctx := context.Background()
	if err := writer.Set(ctx, "u:1", []byte("x"), time.Minute, "user:1"); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if _, err := reader.Get(ctx, "u:1"); err != nil {
		t.Fatalf("reader warm-up: %v", err)
	}
	if err := writer.DeleteTag(ctx, "user:1"); err != nil {
		t.Fatalf("DeleteTag: %v", err)
	}
	deadline := time.Now().Add(time.Second)
	for {
		_, err := reader.Get(ctx, "u:1")
		if errors.Is(err, cache.ErrNotFound) {
			break
		}
		if err != nil {
			t.Fatalf("reader Get: %v", err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("reader still sees a value 1s after DeleteTag, want ErrNotFound")
		}
	}
}

// TestRedisKeysUnderPrefix checks that every key the store writes (values,
// tag sets, locks) starts with the configured prefix.
func TestRedisKeysUnderPrefix(t *testing.T) {
	srv := testenv.Redis(t)
	c := srv.Client(t)
	prefix := srv.Prefix + "app:"
	s := cache.NewRedisStore(c, cache.RedisOptions{Prefix: prefix})
	ctx := context.Background()
	if err := s.Set(ctx, "k", []byte("v"), time.Minute, "t"); err != nil {
		t.Fatalf("Set: %v", err)
	}
	release, ok, err := s.TryLock(ctx, "k", time.Minute)
	if err != nil || !ok {
		t.Fatalf("TryLock: got (%v, %v), want (true, nil)", ok, err)
	}
	defer release()
	for _, k := range []string{prefix + "v:k", prefix + "t:t", prefix + "l:k"} {
		n, err := c.Do(ctx, c.B().Exists().Key(k).Build()).AsInt64()
		if err != nil || n != 1 {
			t.Errorf("EXISTS %s: got (%d, %v), want 1", k, n, err)
		}
	}
	ttl, err := c.Do(ctx, c.B().Pttl().Key(prefix+"t:t").Build()).AsInt64()
	if err != nil || ttl <= 0 || ttl > time.Minute.Milliseconds() {
		t.Errorf("tag set PTTL: got (%d, %v), want in (0, 60000]", ttl, err)
	}
	// The tag set lives as long as its longest-lived member, never shorter.
	if err := s.Set(ctx, "long", []byte("v"), time.Hour, "t"); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if err := s.Set(ctx, "short", []byte("v"), time.Second, "t"); err != nil {
		t.Fatalf("Set: %v", err)
	}
	ttl, err = c.Do(ctx, c.B().Pttl().Key(prefix+"t:t").Build()).AsInt64()
	if err != nil || ttl <= time.Minute.Milliseconds() {
		t.Errorf("tag set PTTL after a 1h member: got (%d, %v), want over 60000 (the 1h member)", ttl, err)
	}
}

func TestRedisTryLock(t *testing.T) {
	srv := testenv.Redis(t)
	a, b := newStores(t, srv)
	ctx := context.Background()
	release, ok, err := a.TryLock(ctx, "k", time.Minute)
	if err != nil || !ok {
		t.Fatalf("first TryLock: got (%v, %v), want (true, nil)", ok, err)
	}
	if _, ok, err := b.TryLock(ctx, "k", time.Minute); err != nil || ok {
		t.Fatalf("second TryLock while held: got (%v, %v), want (false, nil)", ok, err)
	}
	release()
	release2, ok, err := b.TryLock(ctx, "k", time.Minute)
	if err != nil || !ok {
		t.Fatalf("TryLock after release: got (%v, %v), want (true, nil)", ok, err)
	}
	// A stale release (a holder whose lock expired and was retaken) must
	// not free the new holder's lock.
	release()
	if _, ok, _ := a.TryLock(ctx, "k", time.Minute); ok {
		t.Fatalf("TryLock after a stale release: got the lock, want it still held")
	}
	release2()
}
