package cache_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/rueidis"

	"github.com/groundwork-go/groundwork/cache"
	"github.com/groundwork-go/groundwork/internal/testenv"
)

type user struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
}

var errNoUser = errors.New("user not found")

// counter counts the events a Typed cache reports and lets a test wait for
// a number of them.
type counter struct {
	mu     sync.Mutex
	counts map[cache.Event]int
	waits  []eventWait
}

type eventWait struct {
	e  cache.Event
	n  int
	ch chan struct{}
}

func newCounter() *counter { return &counter{counts: make(map[cache.Event]int)} }

func (c *counter) observe(e cache.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts[e]++
	kept := c.waits[:0]
	for _, w := range c.waits {
		if c.counts[w.e] >= w.n {
			close(w.ch)
		} else {
			kept = append(kept, w)
		}
	}
	c.waits = kept
}

func (c *counter) get(e cache.Event) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[e]
}

// reached returns a channel closed once e has been seen n times.
func (c *counter) reached(e cache.Event, n int) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan struct{})
	if c.counts[e] >= n {
		close(ch)
	} else {
		c.waits = append(c.waits, eventWait{e, n, ch})
	}
	return ch
}

// storeKinds are the stores every Typed test runs on.
var storeKinds = []struct {
	name string
	new  func(t *testing.T) cache.Store
}{
	{"Memory", func(t *testing.T) cache.Store { return cache.NewMemoryStore(cache.MemoryOptions{}) }},
	{"Redis", func(t *testing.T) cache.Store {
		srv := testenv.Redis(t)
		return cache.NewRedisStore(srv.Client(t), cache.RedisOptions{Prefix: srv.Prefix + "cache:"})
	}},
}

func forEachStore(t *testing.T, fn func(t *testing.T, store cache.Store)) {
	for _, k := range storeKinds {
		t.Run(k.name, func(t *testing.T) { fn(t, k.new(t)) })
	}
}

func TestTypedGetSet(t *testing.T) {
	forEachStore(t, func(t *testing.T, store cache.Store) {
		ctx := context.Background()
		c := cache.NewTyped[user](store, cache.TypedOptions{})
		if _, err := c.Get(ctx, "user:1"); !errors.Is(err, cache.ErrNotFound) {
			t.Fatalf("Get before Set: got %v, want ErrNotFound", err)
		}
		want := user{ID: 1, Email: "ada@example.com"}
		if err := c.Set(ctx, "user:1", want, "users"); err != nil {
			t.Fatalf("Set: %v", err)
		}
		got, err := c.Get(ctx, "user:1")
		if err != nil || got != want {
			t.Fatalf("Get: got (%+v, %v), want %+v", got, err, want)
		}
		if err := store.DeleteTag(ctx, "users"); err != nil {
			t.Fatalf("DeleteTag: %v", err)
		}
		if _, err := c.Get(ctx, "user:1"); !errors.Is(err, cache.ErrNotFound) {
			t.Fatalf("Get after DeleteTag: got %v, want ErrNotFound", err)
		}
	})
}

func TestGetOrLoadCachesAndInvalidates(t *testing.T) {
	forEachStore(t, func(t *testing.T, store cache.Store) {
		ctx := context.Background()
		events := newCounter()
		c := cache.NewTyped[user](store, cache.TypedOptions{OnEvent: events.observe})
		var loads atomic.Int32
		load := func(context.Context) (user, error) {
			n := loads.Add(1)
			return user{ID: 7, Email: fmt.Sprintf("v%d@example.com", n)}, nil
		}
		for i := range 3 {
			got, err := c.GetOrLoad(ctx, "user:7", load)
			if err != nil || got.Email != "v1@example.com" {
				t.Fatalf("call %d: got (%+v, %v), want the first load's value", i, got, err)
			}
		}
		if n := loads.Load(); n != 1 {
			t.Fatalf("loads: got %d, want 1", n)
		}
		if err := c.Delete(ctx, "user:7"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		got, err := c.GetOrLoad(ctx, "user:7", load)
		if err != nil || got.Email != "v2@example.com" {
			t.Fatalf("after Delete: got (%+v, %v), want a fresh load", got, err)
		}
		for e, want := range map[cache.Event]int{cache.EventHit: 2, cache.EventMiss: 2, cache.EventLoad: 2} {
			if got := events.get(e); got != want {
				t.Errorf("%v events: got %d, want %d", e, got, want)
			}
		}
	})
}

func TestGetOrLoadSingleflight(t *testing.T) {
	forEachStore(t, func(t *testing.T, store cache.Store) {
		const callers = 50
		events := newCounter()
		c := cache.NewTyped[user](store, cache.TypedOptions{OnEvent: events.observe})
		allMissed := events.reached(cache.EventMiss, callers)
		var loads atomic.Int32
		load := func(context.Context) (user, error) {
			loads.Add(1)
			<-allMissed // hold the load until every caller has missed
			return user{ID: 9}, nil
		}
		var wg sync.WaitGroup
		errs := make(chan error, callers)
		for range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, err := c.GetOrLoad(context.Background(), "user:9", load)
				if err != nil || got.ID != 9 {
					errs <- fmt.Errorf("got (%+v, %v), want user 9", got, err)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if n := loads.Load(); n != 1 {
			t.Fatalf("loads for %d concurrent misses: got %d, want 1", callers, n)
		}
	})
}

func TestGetOrLoadErrors(t *testing.T) {
	forEachStore(t, func(t *testing.T, store cache.Store) {
		ctx := context.Background()
		boom := errors.New("database unavailable")
		cases := []struct {
			name        string
			opts        cache.TypedOptions
			loadErr     error
			wantErr     error
			wantLoads   int32 // after three calls
			wantLoadErr int
		}{
			{"errors are not cached", cache.TypedOptions{}, boom, boom, 3, 3},
			{"not found without negative caching", cache.TypedOptions{NotFound: errNoUser}, fmt.Errorf("lookup: %w", errNoUser), errNoUser, 3, 0},
			{"negative caching", cache.TypedOptions{NotFound: errNoUser, NegativeTTL: time.Minute}, fmt.Errorf("lookup: %w", errNoUser), errNoUser, 1, 0},
			{"negative caching ignores other errors", cache.TypedOptions{NotFound: errNoUser, NegativeTTL: time.Minute}, boom, boom, 3, 3},
			{"default NotFound is ErrNotFound", cache.TypedOptions{NegativeTTL: time.Minute}, cache.ErrNotFound, cache.ErrNotFound, 1, 0},
		}
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				events := newCounter()
				tc.opts.OnEvent = events.observe
				c := cache.NewTyped[user](store, tc.opts)
				key := fmt.Sprintf("err:%d", i)
				var loads atomic.Int32
				for range 3 {
					_, err := c.GetOrLoad(ctx, key, func(context.Context) (user, error) {
						loads.Add(1)
						return user{}, tc.loadErr
					})
					if !errors.Is(err, tc.wantErr) {
						t.Fatalf("GetOrLoad: got error %v, want %v", err, tc.wantErr)
					}
				}
				if n := loads.Load(); n != tc.wantLoads {
					t.Errorf("loads: got %d, want %d", n, tc.wantLoads)
				}
				if n := events.get(cache.EventLoadError); n != tc.wantLoadErr {
					t.Errorf("load_error events: got %d, want %d", n, tc.wantLoadErr)
				}
				if tc.wantLoads == 1 {
					if _, err := c.Get(ctx, key); !errors.Is(err, tc.wantErr) {
						t.Errorf("Get of a cached absence: got %v, want %v", err, tc.wantErr)
					}
				}
				// A later success replaces whatever was cached.
				if err := c.Delete(ctx, key); err != nil {
					t.Fatalf("Delete: %v", err)
				}
				got, err := c.GetOrLoad(ctx, key, func(context.Context) (user, error) { return user{ID: 1}, nil })
				if err != nil || got.ID != 1 {
					t.Fatalf("GetOrLoad after Delete: got (%+v, %v), want user 1", got, err)
				}
			})
		}
	})
}

func TestGetOrLoadCallerCancelDoesNotFailOthers(t *testing.T) {
	forEachStore(t, func(t *testing.T, store cache.Store) {
		events := newCounter()
		c := cache.NewTyped[user](store, cache.TypedOptions{OnEvent: events.observe})
		release := make(chan struct{})
		load := func(ctx context.Context) (user, error) {
			select {
			case <-release:
				return user{ID: 3}, nil
			case <-ctx.Done():
				return user{}, ctx.Err()
			}
		}
		leaderCtx, cancel := context.WithCancel(context.Background())
		leaderErr := make(chan error, 1)
		go func() {
			_, err := c.GetOrLoad(leaderCtx, "user:3", load)
			leaderErr <- err
		}()
		<-events.reached(cache.EventMiss, 1)
		followerDone := make(chan error, 1)
		go func() {
			got, err := c.GetOrLoad(context.Background(), "user:3", load)
			if err == nil && got.ID != 3 {
				err = fmt.Errorf("got %+v, want user 3", got)
			}
			followerDone <- err
		}()
		<-events.reached(cache.EventMiss, 2)
		cancel()
		if err := <-leaderErr; !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled caller: got %v, want context.Canceled", err)
		}
		close(release)
		if err := <-followerDone; err != nil {
			t.Fatalf("other caller: got %v, want user 3", err)
		}
	})
}

func TestGetOrLoadLoaderPanic(t *testing.T) {
	c := cache.NewTyped[user](cache.NewMemoryStore(cache.MemoryOptions{}), cache.TypedOptions{})
	_, err := c.GetOrLoad(context.Background(), "p", func(context.Context) (user, error) { panic("bug") })
	if err == nil {
		t.Fatalf("GetOrLoad with a panicking loader: got nil error, want one")
	}
}

func TestGetOrLoadUndecodableValue(t *testing.T) {
	forEachStore(t, func(t *testing.T, store cache.Store) {
		ctx := context.Background()
		if err := store.Set(ctx, "user:5", []byte(`{"id":"not a number"`), time.Minute); err != nil {
			t.Fatalf("Set: %v", err)
		}
		events := newCounter()
		c := cache.NewTyped[user](store, cache.TypedOptions{OnEvent: events.observe})
		got, err := c.GetOrLoad(ctx, "user:5", func(context.Context) (user, error) { return user{ID: 5}, nil })
		if err != nil || got.ID != 5 {
			t.Fatalf("GetOrLoad over a corrupt value: got (%+v, %v), want user 5", got, err)
		}
		if n := events.get(cache.EventBackendError); n != 1 {
			t.Errorf("backend_error events: got %d, want 1", n)
		}
		if got, err := c.Get(ctx, "user:5"); err != nil || got.ID != 5 {
			t.Fatalf("Get after reload: got (%+v, %v), want user 5 (the corrupt value replaced)", got, err)
		}
	})
}

// TestGetOrLoadRedisDown stops Redis under a RedisStore: requests are still
// answered by the loader, and the failures are counted.
func TestGetOrLoadRedisDown(t *testing.T) {
	mini := miniredis.RunT(t)
	client, err := rueidis.NewClient(rueidis.ClientOption{
		InitAddress:  []string{mini.Addr()},
		DisableCache: true,
		Dialer:       net.Dialer{Timeout: time.Second},
	})
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(client.Close)
	events := newCounter()
	store := cache.NewRedisStore(client, cache.RedisOptions{Timeout: 200 * time.Millisecond, Cooldown: time.Minute})
	c := cache.NewTyped[user](store, cache.TypedOptions{OnEvent: events.observe, LockTTL: time.Second})
	ctx := context.Background()
	load := func(context.Context) (user, error) { return user{ID: 1}, nil }
	if got, err := c.GetOrLoad(ctx, "user:1", load); err != nil || got.ID != 1 {
		t.Fatalf("GetOrLoad with Redis up: got (%+v, %v), want user 1", got, err)
	}
	mini.Close()
	for i := range 3 {
		got, err := c.GetOrLoad(ctx, "user:1", load)
		if err != nil || got.ID != 1 {
			t.Fatalf("call %d with Redis down: got (%+v, %v), want user 1 from the loader", i, got, err)
		}
	}
	if n := events.get(cache.EventBackendError); n < 3 {
		t.Errorf("backend_error events with Redis down: got %d, want at least 3", n)
	}
	if n := events.get(cache.EventLoad); n != 4 {
		t.Errorf("load events: got %d, want 4", n)
	}
	// After the first failure the store stops trying Redis for Cooldown.
	if _, err := store.Get(ctx, "user:1"); !errors.Is(err, cache.ErrUnavailable) {
		t.Errorf("Get during the cooldown: got %v, want ErrUnavailable", err)
	}
}

// TestGetOrLoadLockAcrossProcesses: with LockTTL, a second process missing
// a key that the first is loading waits for the first's value instead of
// loading it again.
func TestGetOrLoadLockAcrossProcesses(t *testing.T) {
	srv := testenv.Redis(t)
	opts := cache.RedisOptions{Prefix: srv.Prefix + "cache:"}
	eventsA, eventsB := newCounter(), newCounter()
	a := cache.NewTyped[user](cache.NewRedisStore(srv.Client(t), opts),
		cache.TypedOptions{LockTTL: 5 * time.Second, OnEvent: eventsA.observe})
	b := cache.NewTyped[user](cache.NewRedisStore(srv.Client(t), opts),
		cache.TypedOptions{LockTTL: 5 * time.Second, OnEvent: eventsB.observe})
	ctx := context.Background()
	loading, release := make(chan struct{}), make(chan struct{})
	doneA := make(chan error, 1)
	go func() {
		_, err := a.GetOrLoad(ctx, "user:1", func(context.Context) (user, error) {
			close(loading)
			<-release
			return user{ID: 1, Email: "from-a"}, nil
		})
		doneA <- err
	}()
	<-loading // A holds the lock
	doneB := make(chan user, 1)
	var loadsB atomic.Int32
	go func() {
		got, _ := b.GetOrLoad(ctx, "user:1", func(context.Context) (user, error) {
			loadsB.Add(1)
			return user{ID: 1, Email: "from-b"}, nil
		})
		doneB <- got
	}()
	<-eventsB.reached(cache.EventMiss, 1)
	close(release)
	if err := <-doneA; err != nil {
		t.Fatalf("process A: %v", err)
	}
	if got := <-doneB; got.Email != "from-a" {
		t.Fatalf("process B: got %+v, want A's value", got)
	}
	if n := loadsB.Load(); n != 0 {
		t.Fatalf("process B loads: got %d, want 0", n)
	}
}

// TestGetOrLoadLockCoherence: with LockTTL, a load that starts after
// another process invalidated the key neither waits for the lock of the
// load that started before nor gets its value.
func TestGetOrLoadLockCoherence(t *testing.T) {
	srv := testenv.Redis(t)
	opts := cache.RedisOptions{Prefix: srv.Prefix + "cache:"}
	typed := cache.TypedOptions{LockTTL: time.Minute}
	a := cache.NewTyped[user](cache.NewRedisStore(srv.Client(t), opts), typed)
	b := cache.NewTyped[user](cache.NewRedisStore(srv.Client(t), opts), typed)
	ctx := context.Background()
	loading, release := make(chan struct{}), make(chan struct{})
	oldDone := make(chan user, 1)
	go func() {
		got, _ := a.GetOrLoad(ctx, "user:1", func(context.Context) (user, error) {
			close(loading)
			<-release
			return user{ID: 1, Email: "old"}, nil
		})
		oldDone <- got
	}()
	<-loading // A holds the lock of its claim
	if err := b.Delete(ctx, "user:1"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second) // far below LockTTL
	defer cancel()
	got, err := a.GetOrLoad(wctx, "user:1", func(context.Context) (user, error) { return user{ID: 1, Email: "new"}, nil })
	if err != nil || got.Email != "new" {
		t.Fatalf("GetOrLoad after the Delete: got (%+v, %v), want the new value without waiting for the old load's lock", got, err)
	}
	close(release)
	if got := <-oldDone; got.Email != "old" {
		t.Fatalf("old load's caller: got %+v, want the old value", got)
	}
	if got, err := b.GetOrLoad(ctx, "user:1", func(context.Context) (user, error) { return user{}, errors.New("must not load") }); err != nil || got.Email != "new" {
		t.Fatalf("other process after both loads: got (%+v, %v), want the new value", got, err)
	}
}
