package ratelimit_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/rueidis"

	"github.com/groundwork-go/groundwork/internal/testenv"
	"github.com/groundwork-go/groundwork/ratelimit"
	"github.com/groundwork-go/groundwork/ratelimit/ratelimittest"
)

// redisBackend returns a RedisStore on srv; on miniredis the Redis clock is
// frozen at start and moved by Advance.
func redisBackend(t *testing.T, srv *testenv.RedisServer) ratelimittest.Backend {
	return redisBackendWith(t, srv, ratelimit.RedisOptions{})
}

// redisBackendWith is redisBackend with store options (the prefix is set).
func redisBackendWith(t *testing.T, srv *testenv.RedisServer, opts ratelimit.RedisOptions) ratelimittest.Backend {
	opts.Prefix = srv.Prefix + "rl:"
	if srv.Mini == nil {
		return ratelimittest.Backend{Store: ratelimit.NewRedisStore(srv.Client(t), opts)}
	}
	// The Redis clock and the store's local clock (which times local
	// denials) move together.
	clock := ratelimittest.NewClock(start)
	opts.Now = clock.Now
	store := ratelimit.NewRedisStore(srv.Client(t), opts)
	srv.Mini.SetTime(start)
	return ratelimittest.Backend{Store: store, Advance: func(d time.Duration) {
		clock.Advance(d)
		srv.Mini.SetTime(clock.Now())
	}}
}

func TestRedisStore(t *testing.T) {
	ratelimittest.RunStoreTests(t, func(t *testing.T) ratelimittest.Backend {
		return redisBackend(t, testenv.Redis(t))
	})
}

func TestRedisStoreWithoutLocalDenials(t *testing.T) {
	ratelimittest.RunStoreTests(t, func(t *testing.T) ratelimittest.Backend {
		return redisBackendWith(t, testenv.Redis(t), ratelimit.RedisOptions{DisableLocalDenials: true})
	})
}

// A key Redis denied is denied again without a script call until its
// Reset, as the decisions Redis would have made; the store asks again once
// the Reset has passed or when the policy changes.
func TestRedisStoreDeniesLocally(t *testing.T) {
	mini := miniredis.RunT(t)
	clock := ratelimittest.NewClock(start)
	mini.SetTime(start)
	advance := func(d time.Duration) {
		clock.Advance(d)
		mini.SetTime(clock.Now())
	}
	c := &scriptCounter{Client: connect(t, mini.Addr())}
	store := ratelimit.NewRedisStore(c, ratelimit.RedisOptions{Now: clock.Now})
	other := ratelimit.NewRedisStore(connect(t, mini.Addr()), ratelimit.RedisOptions{}) // another instance
	ctx := context.Background()
	p := ratelimit.Policy{Limit: 3, Window: time.Second}
	if _, err := store.Allow(ctx, "warm-up", p); err != nil { // loads the script
		t.Fatal(err)
	}
	c.calls.Store(0)
	var m ratelimittest.Model
	decide := func(step string, s ratelimit.Store, wantCalls int64) ratelimit.Result {
		t.Helper()
		r, err := s.Allow(ctx, "hot", p)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		want := m.Decide(r.Time, p.Limit, p.Window)
		if r.Allowed != want.Allowed || r.Remaining != want.Remaining || !r.Reset.Equal(want.Reset) || r.RetryAfter != want.RetryAfter {
			t.Fatalf("%s: got %+v, want %+v", step, r, want)
		}
		if got := c.calls.Load(); got != wantCalls {
			t.Fatalf("%s: %d script calls so far, want %d", step, got, wantCalls)
		}
		return r
	}
	decide("first", store, 1)
	advance(100 * time.Millisecond)
	decide("second", store, 2)
	decide("third", store, 3)
	advance(100 * time.Millisecond)
	first := decide("first denial", store, 4)
	if first.Allowed || first.RetryAfter != 800*time.Millisecond {
		t.Fatalf("first denial: got %+v, want denied for 800ms", first)
	}
	for i := range 100 {
		advance(7 * time.Millisecond) // 700 ms in all
		if r := decide(fmt.Sprintf("local denial %d", i), store, 4); r.Allowed || !r.Time.Equal(clock.Now()) {
			t.Fatalf("local denial %d: got %+v, want denied at the Redis time %v", i, r, clock.Now())
		}
	}
	// Another instance cannot make room, only take it: it is denied too.
	if r, _ := other.Allow(ctx, "hot", p); r.Allowed {
		t.Fatalf("other instance: got allowed, want denied")
	}
	advance(100*time.Millisecond - time.Microsecond)
	decide("1µs before Reset", store, 4)
	advance(time.Microsecond)
	if r := decide("at Reset", store, 5); !r.Allowed {
		t.Fatalf("at Reset: got %+v, want allowed", r)
	}
	decide("denied again", store, 6)
	// A changed policy asks Redis.
	if r, _ := store.Allow(ctx, "hot", ratelimit.Policy{Limit: 4, Window: time.Second}); !r.Allowed || c.calls.Load() != 7 {
		t.Fatalf("limit raised to 4: got %+v after %d calls, want allowed by a script call", r, c.calls.Load())
	}
}

func TestRedisStoreWithoutClientCache(t *testing.T) {
	ratelimittest.RunStoreTests(t, func(t *testing.T) ratelimittest.Backend {
		srv := testenv.Redis(t)
		c := srv.Client(t, func(o *rueidis.ClientOption) { o.DisableCache = true })
		return ratelimittest.Backend{Store: ratelimit.NewRedisStore(c, ratelimit.RedisOptions{Prefix: srv.Prefix})}
	})
}

func TestRedisClusterStore(t *testing.T) {
	ratelimittest.RunStoreTests(t, func(t *testing.T) ratelimittest.Backend {
		return redisBackend(t, testenv.RedisCluster(t))
	})
}

func TestRedisStoreBatched(t *testing.T) {
	ratelimittest.RunStoreTests(t, func(t *testing.T) ratelimittest.Backend {
		return redisBackendWith(t, testenv.Redis(t), ratelimit.RedisOptions{Batch: true})
	})
}

func TestRedisClusterStoreBatched(t *testing.T) {
	ratelimittest.RunStoreTests(t, func(t *testing.T) ratelimittest.Backend {
		return redisBackendWith(t, testenv.RedisCluster(t), ratelimit.RedisOptions{Batch: true})
	})
}

// scriptCounter counts the commands a client sends with Do (each script
// call is one EVALSHA, or EVAL after NOSCRIPT).
type scriptCounter struct {
	rueidis.Client
	calls atomic.Int64
}

func (c *scriptCounter) Do(ctx context.Context, cmd rueidis.Completed) rueidis.RedisResult {
	c.calls.Add(1)
	return c.Client.Do(ctx, cmd)
}

// Concurrent decisions share script calls, and each still gets its own
// exact answer.
func TestRedisStoreBatchesConcurrentDecisions(t *testing.T) {
	for _, cluster := range []bool{false, true} {
		t.Run(map[bool]string{false: "single", true: "cluster"}[cluster], func(t *testing.T) {
			testBatchesConcurrentDecisions(t, cluster)
		})
	}
}

func testBatchesConcurrentDecisions(t *testing.T, cluster bool) {
	{
		srv := testenv.Redis(t)
		if cluster {
			srv = testenv.RedisCluster(t)
		}
		c := &scriptCounter{Client: srv.Client(t)}
		store := ratelimit.NewRedisStore(c, ratelimit.RedisOptions{Prefix: srv.Prefix, Batch: true})
		p := ratelimit.Policy{Limit: 100, Window: time.Hour}
		const workers, each = 64, 10
		var wg sync.WaitGroup
		var allowed atomic.Int64
		remaining := make([]atomic.Int64, p.Limit)
		for w := range workers {
			wg.Go(func() {
				for range each {
					// Two hot keys shared by everyone and one key per worker.
					for _, key := range []string{"hot-a", "hot-b", "own-" + strconv.Itoa(w)} {
						r, err := store.Allow(context.Background(), key, p)
						if err != nil {
							t.Error(err)
							return
						}
						if r.Allowed && key == "hot-a" {
							allowed.Add(1)
							remaining[r.Remaining].Add(1)
						}
					}
				}
			})
		}
		wg.Wait()
		if got := allowed.Load(); got != int64(p.Limit) {
			t.Fatalf("cluster=%v: %d requests allowed on hot-a, want exactly %d", cluster, got, p.Limit)
		}
		for i := range remaining {
			if n := remaining[i].Load(); n != 1 {
				t.Fatalf("cluster=%v: Remaining %d given %d times on hot-a, want once", cluster, i, n)
			}
		}
		decisions := int64(workers * each * 3)
		if calls := c.calls.Load(); calls > decisions/2 {
			t.Fatalf("cluster=%v: %d commands for %d concurrent decisions, want them batched (at most half)", cluster, calls, decisions)
		}
		t.Logf("cluster=%v: %d decisions in %d commands", cluster, decisions, c.calls.Load())
	}
}

// Two stores on separate clients stand for two app servers sharing Redis.
func TestRedisStoreSharedBetweenInstances(t *testing.T) {
	srv := testenv.Redis(t)
	opts := ratelimit.RedisOptions{Prefix: srv.Prefix}
	// A generous timeout: this test is about sharing, not failing open.
	lopts := ratelimit.Options{Timeout: 10 * time.Second}
	a := ratelimit.New(ratelimit.NewRedisStore(srv.Client(t), opts), lopts)
	b := ratelimit.New(ratelimit.NewRedisStore(srv.Client(t), opts), lopts)
	p := ratelimit.Policy{Name: "shared", Limit: 4, Window: time.Hour}
	ctx := context.Background()
	for i, l := range []*ratelimit.Limiter{a, b, a, b} {
		r, outcome := l.Allow(ctx, "1.2.3.4", p)
		if outcome != ratelimit.OutcomeAllowed || r.Remaining != 3-i {
			t.Fatalf("request %d: got %v with remaining %d, want allowed with remaining %d", i, outcome, r.Remaining, 3-i)
		}
	}
	for _, l := range []*ratelimit.Limiter{a, b} {
		if _, outcome := l.Allow(ctx, "1.2.3.4", p); outcome != ratelimit.OutcomeDenied {
			t.Fatalf("fifth request: got %v, want denied on both instances", outcome)
		}
	}
}

func TestRedisStoreKeyPrefixAndExpiry(t *testing.T) {
	srv := testenv.Redis(t)
	c := srv.Client(t)
	store := ratelimit.NewRedisStore(c, ratelimit.RedisOptions{Prefix: srv.Prefix + "custom:"})
	ctx := context.Background()
	if _, err := store.Allow(ctx, "k", ratelimit.Policy{Limit: 5, Window: 1500 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	ttl, err := c.Do(ctx, c.B().Pttl().Key(srv.Prefix+"custom:k").Build()).AsInt64()
	if err != nil {
		t.Fatal(err)
	}
	if ttl <= 1500 || ttl > 3000 {
		t.Fatalf("PTTL of the key: got %d, want in (1500, 3000] ms (two windows)", ttl)
	}
}

// Through a Limiter, a key is counted per policy, under prefix, policy name
// and key, whether the store batches or not, and its policies and
// arguments stay apart.
func TestLimiterScopesRedisKeysByPolicy(t *testing.T) {
	for _, opts := range []ratelimit.RedisOptions{{}, {Batch: true}} {
		t.Run(fmt.Sprintf("batch=%v", opts.Batch), func(t *testing.T) {
			srv := testenv.Redis(t)
			c := srv.Client(t)
			opts.Prefix = srv.Prefix + "rl:"
			l := ratelimit.New(ratelimit.NewRedisStore(c, opts), ratelimit.Options{})
			ctx := context.Background()
			one := ratelimit.Policy{Name: "one", Limit: 1, Window: time.Minute}
			two := ratelimit.Policy{Name: "two", Limit: 2, Window: time.Minute}
			for i, want := range []ratelimit.Outcome{ratelimit.OutcomeAllowed, ratelimit.OutcomeDenied} {
				if _, got := l.Allow(ctx, "user:7", one); got != want {
					t.Fatalf("policy one, request %d: %v, want %v", i, got, want)
				}
			}
			for i, want := range []ratelimit.Outcome{ratelimit.OutcomeAllowed, ratelimit.OutcomeAllowed, ratelimit.OutcomeDenied} {
				if r, got := l.Allow(ctx, "user:7", two); got != want || r.Limit != 2 {
					t.Fatalf("policy two, request %d: %v (limit %d), want %v under limit 2", i, got, r.Limit, want)
				}
			}
			for _, key := range []string{"rl:one:user:7", "rl:two:user:7"} {
				if n, err := c.Do(ctx, c.B().Exists().Key(srv.Prefix+key).Build()).AsInt64(); err != nil || n != 1 {
					t.Fatalf("key %s%s: exists %d, %v; want it", srv.Prefix, key, n, err)
				}
			}
		})
	}
}

// A key in use keeps living: its TTL is renewed once less than a window is
// left.
func TestRedisStoreRenewsExpiry(t *testing.T) {
	srv := testenv.Redis(t)
	if !srv.Real {
		t.Skip("needs Redis's own clock for TTLs (set REDIS_URL)")
	}
	c := srv.Client(t)
	store := ratelimit.NewRedisStore(c, ratelimit.RedisOptions{Prefix: srv.Prefix})
	ctx := context.Background()
	p := ratelimit.Policy{Limit: 100, Window: 300 * time.Millisecond}
	pttl := func() int64 {
		ttl, err := c.Do(ctx, c.B().Pttl().Key(srv.Prefix+"k").Build()).AsInt64()
		if err != nil {
			t.Fatal(err)
		}
		return ttl
	}
	for range 2 {
		if _, err := store.Allow(ctx, "k", p); err != nil {
			t.Fatal(err)
		}
	}
	if ttl := pttl(); ttl <= 300 || ttl > 600 {
		t.Fatalf("PTTL after two requests: got %d ms, want in (300, 600]", ttl)
	}
	time.Sleep(350 * time.Millisecond) // under one window left
	if _, err := store.Allow(ctx, "k", p); err != nil {
		t.Fatal(err)
	}
	if ttl := pttl(); ttl <= 300 {
		t.Fatalf("PTTL after a request with under a window left: got %d ms, want renewed to about 600", ttl)
	}
}

// A value that is not the store's layout (of any type, including a list
// whose blocks are missing) is replaced rather than misread.
func TestRedisStoreDamagedValue(t *testing.T) {
	now := time.Now().UnixMicro()
	cases := map[string][]string{ // a command and its arguments after the key
		"short string":            {"SET", "x"},
		"text":                    {"SET", "not a sliding log"},
		"other string":            {"SET", "\x00\x00\x00\x02\x00\x00\x00\x09\x00\x00\x00\x00"},
		"earlier layout":          {"SET", "GWr3" + strings.Repeat("\x00", 172)},
		"set":                     {"SADD", "a", "b"},
		"other list":              {"RPUSH", "a", "b"},
		"list without its blocks": {"RPUSH", listValue(2, nil, slices.Repeat([]int64{now}, 8), []int64{now})[0]},
	}
	for name, value := range cases {
		t.Run(name, func(t *testing.T) {
			srv := testenv.Redis(t)
			c := srv.Client(t)
			ctx := context.Background()
			if err := c.Do(ctx, c.B().Arbitrary(value[0]).Keys(srv.Prefix+"k").Args(value[1:]...).Build()).Error(); err != nil {
				t.Fatal(err)
			}
			store := ratelimit.NewRedisStore(c, ratelimit.RedisOptions{Prefix: srv.Prefix})
			for i := range 3 {
				r, err := store.Allow(ctx, "k", ratelimit.Policy{Limit: 2, Window: time.Hour})
				if err != nil || r.Allowed != (i < 2) || r.Remaining != max(1-i, 0) {
					t.Fatalf("request %d over the value: got %+v, %v; want allowed %v with remaining %d", i, r, err, i < 2, max(1-i, 0))
				}
			}
		})
	}
}

// TestRedisMemoryPerKey measures MEMORY USAGE of one key holding 1,000
// entries; the target is at most 16 KB.
func TestRedisMemoryPerKey(t *testing.T) {
	srv := testenv.Redis(t)
	if !srv.Real {
		t.Skip("MEMORY USAGE needs a real Redis (set REDIS_URL)")
	}
	bytes := memoryPerFullKey(t, srv.Client(t), srv.Prefix)
	t.Logf("MEMORY USAGE of a key with 1000 entries: %d bytes", bytes)
	if bytes > 16*1024 {
		t.Fatalf("MEMORY USAGE: got %d bytes, want at most %d", bytes, 16*1024)
	}
}

// listValue builds a key's value in the store's list form (see
// ratelimit.lua): a header holding front and back, then ring in blocks of
// 8. Entries are oldest first.
func listValue(limit int, front, ring, back []int64) []string {
	all := slices.Concat(front, ring, back)
	b := []byte("GWl4")
	for _, v := range []int{limit, len(front), len(back), len(ring)} {
		b = binary.BigEndian.AppendUint32(b, uint32(v))
	}
	b = binary.BigEndian.AppendUint64(b, uint64(all[len(all)-1]))
	b = binary.BigEndian.AppendUint64(b, 0) // expiry: the next write sets a TTL
	stamps := func(entries []int64) []byte {
		var out []byte
		for _, ts := range entries {
			out = binary.BigEndian.AppendUint64(out, uint64(ts))
		}
		return out
	}
	value := []string{string(append(append(b, stamps(front)...), stamps(back)...))}
	for i := 0; i < len(ring); i += 8 {
		value = append(value, string(stamps(ring[i:i+8])))
	}
	return value
}

// Lists whose entries sit in the header's front and back and in the blocks
// are read in order: when the limit changes and when entries leave the
// window across blocks; a key turns into a list past 32 entries and back
// into a string when a lower limit keeps 32 or fewer, or when 16 or fewer
// are left.
func TestRedisStoreListForm(t *testing.T) {
	srv := testenv.Redis(t)
	c := srv.Client(t)
	ctx := context.Background()
	store := ratelimit.NewRedisStore(c, ratelimit.RedisOptions{Prefix: srv.Prefix})
	redisNow := func() int64 {
		tm, err := c.Do(ctx, c.B().Time().Build()).AsStrSlice()
		if err != nil {
			t.Fatal(err)
		}
		s, _ := strconv.ParseInt(tm[0], 10, 64)
		us, _ := strconv.ParseInt(tm[1], 10, 64)
		return s*1_000_000 + us
	}
	if srv.Mini != nil {
		srv.Mini.SetTime(start)
	}
	// entries returns n timestamps apart by gap, the newest 1 s ago.
	entries := func(n int, gap time.Duration) []int64 {
		now := redisNow()
		out := make([]int64, n)
		for i := range out {
			out[i] = now - time.Second.Microseconds() - int64(n-1-i)*gap.Microseconds()
		}
		return out
	}
	set := func(key string, value []string) {
		for _, cmd := range []rueidis.Completed{c.B().Del().Key(srv.Prefix + key).Build(), c.B().Rpush().Key(srv.Prefix + key).Element(value...).Build()} {
			if err := c.Do(ctx, cmd).Error(); err != nil {
				t.Fatal(err)
			}
		}
	}
	typeOf := func(key string) string {
		typ, err := c.Do(ctx, c.B().Type().Key(srv.Prefix+key).Build()).ToString()
		if err != nil {
			t.Fatal(err)
		}
		return typ
	}
	hour := time.Hour

	// 50 entries: 6 in the front, 40 in five blocks, 4 in the back; the
	// limit lowered to 30 keeps the newest 30 (a string now), so the
	// request is denied until the 21st entry leaves the window; raised to
	// 60 it allows 29 more.
	some := entries(50, time.Millisecond)
	set("change", listValue(50, some[:6], some[6:46], some[46:]))
	r, err := store.Allow(ctx, "change", ratelimit.Policy{Limit: 30, Window: hour})
	if err != nil || r.Allowed || r.Reset.UnixMicro() != some[20]+hour.Microseconds() {
		t.Fatalf("limit lowered to 30: got %+v, %v; want denied until the 21st entry + 1 h", r, err)
	}
	if typ := typeOf("change"); typ != "string" {
		t.Fatalf("30 entries kept: the key is a %s, want a string", typ)
	}
	r, err = store.Allow(ctx, "change", ratelimit.Policy{Limit: 60, Window: hour})
	if err != nil || !r.Allowed || r.Remaining != 29 || r.Reset.UnixMicro() != some[20]+hour.Microseconds() {
		t.Fatalf("limit raised to 60: got %+v, %v; want allowed with remaining 29", r, err)
	}

	// Entries older than the window are dropped from the front, refilled
	// from the blocks: of 64 entries 10 ms apart, the newest 1 s old,
	// about 30 are inside a 1.3 s window.
	old := entries(64, 10*time.Millisecond)
	set("drop", listValue(100, old[:8], old[8:56], old[56:]))
	window := 1300 * time.Millisecond
	r, err = store.Allow(ctx, "drop", ratelimit.Policy{Limit: 100, Window: window})
	if err != nil || !r.Allowed {
		t.Fatalf("drop: got %+v, %v; want allowed", r, err)
	}
	inWindow := 0
	var oldest int64
	for _, ts := range old {
		if ts > r.Time.UnixMicro()-window.Microseconds() {
			if inWindow == 0 {
				oldest = ts
			}
			inWindow++
		}
	}
	if inWindow == 0 || inWindow == len(old) || r.Remaining != 100-inWindow-1 || r.Reset.UnixMicro() != oldest+window.Microseconds() {
		t.Fatalf("drop: got %+v with %d entries in the window; want remaining %d and reset at its oldest + window", r, inWindow, 100-inWindow-1)
	}
	if ttl, err := c.Do(ctx, c.B().Pttl().Key(srv.Prefix+"drop").Build()).AsInt64(); err != nil || ttl <= window.Milliseconds() {
		t.Fatalf("drop: PTTL %d, %v; want renewed to two windows", ttl, err)
	}

	// 40 entries, 30 of them two hours old: a request drops them across
	// the blocks, and the 11 left make a string again.
	now := redisNow()
	var shrink []int64
	for i := range 40 {
		ts := now - 2*hour.Microseconds() + int64(i)
		if i >= 30 {
			ts = now - time.Second.Microseconds() + int64(i)
		}
		shrink = append(shrink, ts)
	}
	set("shrink", listValue(100, shrink[:8], shrink[8:], nil))
	for i := range 2 {
		r, err := store.Allow(ctx, "shrink", ratelimit.Policy{Limit: 100, Window: hour})
		if err != nil || !r.Allowed || r.Remaining != 100-10-i-1 || r.Reset.UnixMicro() != shrink[30]+hour.Microseconds() {
			t.Fatalf("shrink, request %d: got %+v, %v; want allowed, remaining %d, reset at the 31st entry + 1 h", i, r, err, 100-10-i-1)
		}
		if typ := typeOf("shrink"); typ != "string" {
			t.Fatalf("shrink, after request %d: the key is a %s, want a string", i, typ)
		}
	}

	// A new key: a string up to 32 entries, a list from the 33rd; a lower
	// limit makes it a string again.
	p := ratelimit.Policy{Limit: 100, Window: hour}
	for i := range 40 {
		r, err := store.Allow(ctx, "grow", p)
		if err != nil || !r.Allowed || r.Remaining != 100-i-1 {
			t.Fatalf("grow, request %d: got %+v, %v; want allowed with remaining %d", i, r, err, 100-i-1)
		}
		want := "string"
		if i >= 32 {
			want = "list"
		}
		if typ := typeOf("grow"); typ != want {
			t.Fatalf("grow, after request %d: the key is a %s, want a %s", i, typ, want)
		}
	}
	if r, err := store.Allow(ctx, "grow", ratelimit.Policy{Limit: 10, Window: hour}); err != nil || r.Allowed {
		t.Fatalf("grow, limit lowered to 10: got %+v, %v; want denied", r, err)
	}
	if typ := typeOf("grow"); typ != "string" {
		t.Fatalf("grow, 10 entries kept: the key is a %s, want a string", typ)
	}
	if r, err := store.Allow(ctx, "grow", p); err != nil || !r.Allowed || r.Remaining != 100-10-1 {
		t.Fatalf("grow, limit raised to 100: got %+v, %v; want allowed with remaining 89", r, err)
	}
}
