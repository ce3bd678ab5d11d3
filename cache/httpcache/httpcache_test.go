package httpcache_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/cache"
	"github.com/groundwork-go/groundwork/cache/httpcache"
	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/internal/testenv"
)

// origin is a handler that counts its calls and answers with what respond
// writes, numbering each response body.
type origin struct {
	calls   atomic.Int32
	respond func(w http.ResponseWriter, r *http.Request, n int32)
}

func (o *origin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := o.calls.Add(1)
	if o.respond != nil {
		o.respond(w, r, n)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintf(w, "response %d", n)
}

type result struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, h http.Handler, method, target string, header ...string) result {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, req)
	return result{rr.Code, rr.Header(), rr.Body.String()}
}

func wantResult(t *testing.T, got result, status int, body, cacheStatus string) {
	t.Helper()
	if got.status != status || got.body != body || got.header.Get(httpcache.CacheStatusHeader) != cacheStatus {
		t.Fatalf("got %d %q (X-Cache %q), want %d %q (X-Cache %q)",
			got.status, got.body, got.header.Get(httpcache.CacheStatusHeader), status, body, cacheStatus)
	}
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// stores are the backends every test runs on.
func stores(t *testing.T) map[string]cache.Store {
	srv := testenv.Redis(t)
	return map[string]cache.Store{
		"Memory": cache.NewMemoryStore(cache.MemoryOptions{}),
		"Redis":  cache.NewRedisStore(srv.Client(t), cache.RedisOptions{Prefix: srv.Prefix + "cache:"}),
	}
}

func forEachStore(t *testing.T, fn func(t *testing.T, store cache.Store)) {
	for name, store := range stores(t) {
		t.Run(name, func(t *testing.T) { fn(t, store) })
	}
}

func TestCachesGet(t *testing.T) {
	forEachStore(t, func(t *testing.T, store cache.Store) {
		o := &origin{}
		h := httpcache.New(store, httpcache.Options{})(o)
		first := do(t, h, "GET", "/things?a=1")
		wantResult(t, first, 200, "response 1", "MISS")
		etag := first.header.Get("ETag")
		if !strings.HasPrefix(etag, `"`) {
			t.Fatalf("ETag: got %q, want a strong entity tag", etag)
		}
		second := do(t, h, "GET", "/things?a=1")
		wantResult(t, second, 200, "response 1", "HIT")
		if got := second.header.Get("ETag"); got != etag {
			t.Errorf("ETag on hit: got %q, want %q", got, etag)
		}
		if got := second.header.Get("Content-Type"); got != "text/plain" {
			t.Errorf("Content-Type on hit: got %q, want text/plain", got)
		}
		if got := second.header.Get("Age"); got == "" {
			t.Errorf("Age on hit: got none, want one")
		}
		if got := second.header.Get("Content-Length"); got != "10" {
			t.Errorf("Content-Length on hit: got %q, want 10", got)
		}
		// Parameter order does not matter; values do.
		wantResult(t, do(t, h, "GET", "/things?a=1&"), 200, "response 1", "HIT")
		wantResult(t, do(t, h, "GET", "/things?a=2"), 200, "response 2", "MISS")
		wantResult(t, do(t, h, "GET", "/things?b=1&a=2"), 200, "response 3", "MISS")
		wantResult(t, do(t, h, "GET", "/things?a=2&b=1"), 200, "response 3", "HIT")
		wantResult(t, do(t, h, "GET", "/other?a=1"), 200, "response 4", "MISS")
	})
}

func TestHeadUsesGetEntry(t *testing.T) {
	forEachStore(t, func(t *testing.T, store cache.Store) {
		o := &origin{}
		h := httpcache.New(store, httpcache.Options{})(o)
		// A HEAD miss goes to the handler and stores nothing.
		do(t, h, "HEAD", "/h")
		wantResult(t, do(t, h, "GET", "/h"), 200, "response 2", "MISS")
		got := do(t, h, "HEAD", "/h")
		wantResult(t, got, 200, "", "HIT")
		if cl := got.header.Get("Content-Length"); cl != "10" {
			t.Errorf("HEAD Content-Length: got %q, want 10", cl)
		}
		if n := o.calls.Load(); n != 2 {
			t.Errorf("handler calls: got %d, want 2", n)
		}
	})
}

func TestNotStored(t *testing.T) {
	cases := []struct {
		name    string
		method  string
		header  []string // request headers
		respond func(w http.ResponseWriter, r *http.Request, n int32)
		status  int
	}{
		{"POST", "POST", nil, nil, 200},
		{"404", "GET", nil, func(w http.ResponseWriter, r *http.Request, n int32) {
			w.WriteHeader(404)
			fmt.Fprintf(w, "response %d", n)
		}, 404},
		{"201", "GET", nil, func(w http.ResponseWriter, r *http.Request, n int32) {
			w.WriteHeader(201)
			fmt.Fprintf(w, "response %d", n)
		}, 201},
		{"Authorization", "GET", []string{"Authorization", "Bearer secret"}, nil, 200},
		{"request no-store", "GET", []string{"Cache-Control", "no-store"}, nil, 200},
		{"response no-store", "GET", nil, withCacheControl("no-store"), 200},
		{"response private", "GET", nil, withCacheControl("private, max-age=60"), 200},
		{"response no-cache", "GET", nil, withCacheControl("no-cache"), 200},
		{"response max-age=0", "GET", nil, withCacheControl("max-age=0"), 200},
		{"Set-Cookie", "GET", nil, func(w http.ResponseWriter, r *http.Request, n int32) {
			http.SetCookie(w, &http.Cookie{Name: "session", Value: "x"})
			fmt.Fprintf(w, "response %d", n)
		}, 200},
		{"Vary *", "GET", nil, func(w http.ResponseWriter, r *http.Request, n int32) {
			w.Header().Set("Vary", "*")
			fmt.Fprintf(w, "response %d", n)
		}, 200},
		{"flushed", "GET", nil, func(w http.ResponseWriter, r *http.Request, n int32) {
			fmt.Fprintf(w, "response ")
			http.NewResponseController(w).Flush()
			fmt.Fprintf(w, "%d", n)
		}, 200},
	}
	forEachStore(t, func(t *testing.T, store cache.Store) {
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				o := &origin{respond: tc.respond}
				h := httpcache.New(store, httpcache.Options{})(o)
				target := fmt.Sprintf("/ns/%d", i)
				for n := 1; n <= 2; n++ {
					got := do(t, h, tc.method, target, tc.header...)
					if want := fmt.Sprintf("response %d", n); got.status != tc.status || got.body != want {
						t.Fatalf("request %d: got %d %q, want %d %q", n, got.status, got.body, tc.status, want)
					}
					if got.header.Get(httpcache.CacheStatusHeader) == "HIT" {
						t.Fatalf("request %d: served from the cache, want the handler", n)
					}
				}
			})
		}
	})
}

func withCacheControl(cc string) func(w http.ResponseWriter, r *http.Request, n int32) {
	return func(w http.ResponseWriter, r *http.Request, n int32) {
		w.Header().Set("Cache-Control", cc)
		fmt.Fprintf(w, "response %d", n)
	}
}

func TestLargeBodyStreamsUncached(t *testing.T) {
	big := strings.Repeat("x", 100)
	o := &origin{respond: func(w http.ResponseWriter, r *http.Request, n int32) {
		io.WriteString(w, big[:50])
		io.WriteString(w, big[50:])
	}}
	h := httpcache.New(cache.NewMemoryStore(cache.MemoryOptions{}), httpcache.Options{MaxBodyBytes: 64})(o)
	for range 2 {
		if got := do(t, h, "GET", "/big"); got.status != 200 || got.body != big {
			t.Fatalf("got %d with %d bytes, want 200 with %d", got.status, len(got.body), len(big))
		}
	}
	if n := o.calls.Load(); n != 2 {
		t.Fatalf("handler calls: got %d, want 2", n)
	}
}

func TestRequestCacheControl(t *testing.T) {
	forEachStore(t, func(t *testing.T, store cache.Store) {
		o := &origin{}
		h := httpcache.New(store, httpcache.Options{})(o)
		wantResult(t, do(t, h, "GET", "/rc"), 200, "response 1", "MISS")
		wantResult(t, do(t, h, "GET", "/rc", "Cache-Control", "max-age=3600"), 200, "response 1", "HIT")
		// no-cache and max-age=0 reload, and the reloaded response replaces the entry.
		wantResult(t, do(t, h, "GET", "/rc", "Cache-Control", "no-cache"), 200, "response 2", "MISS")
		wantResult(t, do(t, h, "GET", "/rc"), 200, "response 2", "HIT")
		wantResult(t, do(t, h, "GET", "/rc", "Cache-Control", "max-age=0"), 200, "response 3", "MISS")
		wantResult(t, do(t, h, "GET", "/rc", "Pragma", "no-cache"), 200, "response 4", "MISS")
		wantResult(t, do(t, h, "GET", "/rc"), 200, "response 4", "HIT")
	})
}

func TestResponseLifetime(t *testing.T) {
	cases := []struct {
		name         string
		cacheControl string
		opts         httpcache.Options
		fresh, stale time.Duration // ages at which the entry is / is not served
	}{
		{"default TTL", "", httpcache.Options{TTL: 30 * time.Second}, 29 * time.Second, 31 * time.Second},
		{"max-age", "public, max-age=10", httpcache.Options{}, 9 * time.Second, 11 * time.Second},
		{"s-maxage wins", "max-age=1000, s-maxage=5", httpcache.Options{}, 4 * time.Second, 6 * time.Second},
		{"MaxTTL caps", "max-age=100000", httpcache.Options{MaxTTL: time.Minute}, 59 * time.Second, 61 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := &clock{now: time.Unix(1700000000, 0)}
			o := &origin{}
			if tc.cacheControl != "" {
				o.respond = withCacheControl(tc.cacheControl)
			}
			h := httpcache.New(cache.NewMemoryStore(cache.MemoryOptions{Now: clk.Now}), tc.opts)(o)
			wantResult(t, do(t, h, "GET", "/life"), 200, "response 1", "MISS")
			clk.Advance(tc.fresh)
			wantResult(t, do(t, h, "GET", "/life"), 200, "response 1", "HIT")
			clk.Advance(tc.stale - tc.fresh)
			wantResult(t, do(t, h, "GET", "/life"), 200, "response 2", "MISS")
		})
	}
}

func TestVary(t *testing.T) {
	forEachStore(t, func(t *testing.T, store cache.Store) {
		o := &origin{respond: func(w http.ResponseWriter, r *http.Request, n int32) {
			w.Header().Set("Vary", "Accept-Language")
			fmt.Fprintf(w, "response %d %s", n, r.Header.Get("Accept-Language"))
		}}
		h := httpcache.New(store, httpcache.Options{})(o)
		wantResult(t, do(t, h, "GET", "/v", "Accept-Language", "en"), 200, "response 1 en", "MISS")
		wantResult(t, do(t, h, "GET", "/v", "Accept-Language", "fr"), 200, "response 2 fr", "MISS")
		wantResult(t, do(t, h, "GET", "/v", "Accept-Language", "en"), 200, "response 1 en", "HIT")
		wantResult(t, do(t, h, "GET", "/v", "Accept-Language", "fr"), 200, "response 2 fr", "HIT")
		got := do(t, h, "GET", "/v")
		wantResult(t, got, 200, "response 3 ", "MISS")
		if v := got.header.Get("Vary"); v != "Accept-Language" {
			t.Errorf("Vary: got %q, want Accept-Language", v)
		}
	})
}

func TestAuthorization(t *testing.T) {
	forEachStore(t, func(t *testing.T, store cache.Store) {
		t.Run("shared response", func(t *testing.T) {
			o := &origin{}
			h := httpcache.New(store, httpcache.Options{AllowAuthorized: true})(o)
			wantResult(t, do(t, h, "GET", "/shared", "Authorization", "Bearer a"), 200, "response 1", "MISS")
			wantResult(t, do(t, h, "GET", "/shared", "Authorization", "Bearer b"), 200, "response 1", "HIT")
		})
		t.Run("Vary Authorization", func(t *testing.T) {
			o := &origin{respond: func(w http.ResponseWriter, r *http.Request, n int32) {
				w.Header().Set("Vary", "Authorization")
				fmt.Fprintf(w, "response %d for %s", n, r.Header.Get("Authorization"))
			}}
			h := httpcache.New(store, httpcache.Options{AllowAuthorized: true})(o)
			wantResult(t, do(t, h, "GET", "/mine", "Authorization", "Bearer a"), 200, "response 1 for Bearer a", "MISS")
			wantResult(t, do(t, h, "GET", "/mine", "Authorization", "Bearer b"), 200, "response 2 for Bearer b", "MISS")
			wantResult(t, do(t, h, "GET", "/mine", "Authorization", "Bearer a"), 200, "response 1 for Bearer a", "HIT")
		})
	})
}

func TestIfNoneMatch(t *testing.T) {
	forEachStore(t, func(t *testing.T, store cache.Store) {
		o := &origin{respond: func(w http.ResponseWriter, r *http.Request, n int32) {
			w.Header().Set("Cache-Control", "public, max-age=60")
			if r.URL.Path == "/own" {
				w.Header().Set("ETag", `W/"v1"`)
			}
			fmt.Fprintf(w, "response %d", n)
		}}
		h := httpcache.New(store, httpcache.Options{})(o)
		etag := do(t, h, "GET", "/inm").header.Get("ETag")
		cases := []struct {
			name   string
			path   string
			inm    string
			status int
		}{
			{"match on hit", "/inm", etag, 304},
			{"match in list", "/inm", `"other", ` + etag, 304},
			{"weak form matches", "/inm", "W/" + etag, 304},
			{"star", "/inm", "*", 304},
			{"no match", "/inm", `"other"`, 200},
			{"handler ETag on miss", "/own", `"v1"`, 304},
			{"handler ETag on hit", "/own", `W/"v1"`, 304},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				got := do(t, h, "GET", tc.path, "If-None-Match", tc.inm)
				if got.status != tc.status {
					t.Fatalf("status: got %d, want %d", got.status, tc.status)
				}
				if tc.status == 304 {
					if got.body != "" {
						t.Errorf("304 body: got %q, want none", got.body)
					}
					if got.header.Get("ETag") == "" || got.header.Get("Cache-Control") != "public, max-age=60" {
						t.Errorf("304 headers: got ETag %q, Cache-Control %q, want both repeated",
							got.header.Get("ETag"), got.header.Get("Cache-Control"))
					}
				}
			})
		}
	})
}

// TestOuterHeadersNotStored: headers set by middleware outside the cache
// (here the request ID) belong to each request and are never replayed.
func TestOuterHeadersNotStored(t *testing.T) {
	h := httpx.RequestID(httpcache.New(cache.NewMemoryStore(cache.MemoryOptions{}), httpcache.Options{})(&origin{}))
	first := do(t, h, "GET", "/rid", httpx.RequestIDHeader, "first-request")
	second := do(t, h, "GET", "/rid", httpx.RequestIDHeader, "second-request")
	wantResult(t, second, 200, "response 1", "HIT")
	if got := second.header.Get(httpx.RequestIDHeader); got != "second-request" {
		t.Fatalf("request ID on hit: got %q, want second-request (first was %q)", got, first.header.Get(httpx.RequestIDHeader))
	}
}

func TestInvalidation(t *testing.T) {
	forEachStore(t, func(t *testing.T, store cache.Store) {
		o := &origin{}
		h := httpcache.New(store, httpcache.Options{Tags: []string{"things"}})(o)
		ctx := context.Background()
		wantResult(t, do(t, h, "GET", "/things/1"), 200, "response 1", "MISS")
		wantResult(t, do(t, h, "GET", "/stuff/1"), 200, "response 2", "MISS")
		if err := store.DeletePrefix(ctx, "http:/things"); err != nil {
			t.Fatalf("DeletePrefix: %v", err)
		}
		wantResult(t, do(t, h, "GET", "/things/1"), 200, "response 3", "MISS")
		wantResult(t, do(t, h, "GET", "/stuff/1"), 200, "response 2", "HIT")
		if err := store.DeleteTag(ctx, "things"); err != nil {
			t.Fatalf("DeleteTag: %v", err)
		}
		wantResult(t, do(t, h, "GET", "/stuff/1"), 200, "response 4", "MISS")
	})
}

// failingStore is a Store whose backend is down.
type failingStore struct{}

var errDown = errors.New("connection refused")

func (failingStore) Get(context.Context, string) ([]byte, error) { return nil, errDown }
func (failingStore) Set(context.Context, string, []byte, time.Duration, ...string) error {
	return errDown
}
func (failingStore) Delete(context.Context, ...string) error    { return errDown }
func (failingStore) DeleteTag(context.Context, ...string) error { return errDown }
func (failingStore) DeletePrefix(context.Context, string) error { return errDown }
func (failingStore) Claim(context.Context, string, time.Duration) ([]byte, string, error) {
	return nil, "", errDown
}
func (failingStore) SetClaimed(context.Context, string, string, []byte, time.Duration) (bool, error) {
	return false, errDown
}

func TestStoreDownServesFromHandler(t *testing.T) {
	o := &origin{}
	h := httpcache.New(failingStore{}, httpcache.Options{Logger: slog.New(slog.DiscardHandler)})(o)
	for n := 1; n <= 2; n++ {
		wantResult(t, do(t, h, "GET", "/down"), 200, fmt.Sprintf("response %d", n), "MISS")
	}
}
