package ratelimit_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/redis/rueidis"

	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/ratelimit"
)

func ExampleNewMemoryStore() {
	store := ratelimit.NewMemoryStore(ratelimit.MemoryOptions{})
	p := ratelimit.Policy{Limit: 2, Window: time.Minute}
	for range 3 {
		r, err := store.Allow(context.Background(), "ip:192.0.2.1", p)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(r.Allowed, r.Remaining)
	}
	// Output:
	// true 1
	// true 0
	// false 0
}

func ExampleNewRedisStore() {
	// The application's one shared client; the store does not close it.
	client, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{"127.0.0.1:6379"}})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	store := ratelimit.NewRedisStore(client, ratelimit.RedisOptions{Prefix: "myapp:ratelimit:"})
	limiter := ratelimit.New(store, ratelimit.Options{Timeout: 30 * time.Millisecond})
	_ = limiter
}

func ExampleNew() {
	counts := map[ratelimit.Outcome]int{}
	limiter := ratelimit.New(ratelimit.NewMemoryStore(ratelimit.MemoryOptions{}), ratelimit.Options{
		// A metrics package would increment a counter labelled with
		// e.Policy.Name and e.Outcome.String() here.
		OnEvent: func(e ratelimit.Event) { counts[e.Outcome]++ },
	})
	p := ratelimit.Policy{Name: "login", Limit: 3, Window: time.Minute}
	for range 5 {
		limiter.Allow(context.Background(), "ip:192.0.2.1", p)
	}
	fmt.Println(counts[ratelimit.OutcomeAllowed], counts[ratelimit.OutcomeDenied])
	fmt.Printf("%+v\n", limiter.Stats())
	// Output:
	// 3 2
	// {Allowed:3 Denied:2 FailedOpen:0 FallbackAllowed:0 FallbackDenied:0 FailedClosed:0}
}

func ExampleLimiter_Middleware() {
	limiter := ratelimit.New(ratelimit.NewMemoryStore(ratelimit.MemoryOptions{}), ratelimit.Options{})
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hello") })
	h := limiter.Middleware(ratelimit.Policy{Name: "strict", Limit: 1, Window: time.Minute}, ratelimit.ByIP)(hello)

	for range 2 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/v1/auth/login", nil))
		fmt.Printf("%d limit=%s remaining=%s retry-after=%q\n", rec.Code, rec.Header().Get("X-RateLimit-Limit"),
			rec.Header().Get("X-RateLimit-Remaining"), rec.Header().Get("Retry-After"))
	}
	// Output:
	// 200 limit=1 remaining=0 retry-after=""
	// 429 limit=1 remaining=0 retry-after="60"
}

// A service keeps its own error format: the writer gets the status, the
// machine code and the detail, with the rate-limit headers already set.
func ExampleLimiter_Middleware_errorWriter() {
	limiter := ratelimit.New(ratelimit.NewMemoryStore(ratelimit.MemoryOptions{}), ratelimit.Options{
		ErrorWriter: func(w http.ResponseWriter, r *http.Request, e *httpx.Error) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(e.Status)
			fmt.Fprintf(w, `{"error":{"code":%q,"retry_after":%q}}`, e.Code, w.Header().Get("Retry-After"))
		},
	})
	h := limiter.Middleware(ratelimit.Policy{Limit: 1, Window: time.Minute}, ratelimit.ByIP)(http.NotFoundHandler())
	for range 2 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		if rec.Code == http.StatusTooManyRequests {
			fmt.Println(rec.Body.String())
		}
	}
	// Output:
	// {"error":{"code":"RATE_LIMITED","retry_after":"60"}}
}

// downStore fails every decision, like an unreachable Redis.
type downStore struct{}

func (downStore) Allow(context.Context, string, ratelimit.Policy) (ratelimit.Result, error) {
	return ratelimit.Result{}, errors.New("connection refused")
}

// While the store fails, a FailLocal policy still holds in each process,
// and a FailOpen one lets everything through.
func ExampleFailMode() {
	limiter := ratelimit.New(downStore{}, ratelimit.Options{Logger: slog.New(slog.DiscardHandler)})
	login := ratelimit.Policy{Name: "login", Limit: 2, Window: time.Minute, Fail: ratelimit.FailLocal}
	general := ratelimit.Policy{Name: "general", Limit: 2, Window: time.Minute} // FailOpen
	for _, p := range []ratelimit.Policy{login, general} {
		allowed := 0
		for range 5 {
			if r, _ := limiter.Allow(context.Background(), "ip:192.0.2.1", p); r.Allowed {
				allowed++
			}
		}
		fmt.Printf("%s (fail %s): %d of 5 allowed\n", p.Name, p.Fail, allowed)
	}
	// Output:
	// login (fail local): 2 of 5 allowed
	// general (fail open): 5 of 5 allowed
}

func ExampleByUser() {
	// In a service using the auth package, userID is auth.SubjectFromRequest.
	userID := func(r *http.Request) (string, bool) {
		id := r.Header.Get("X-Example-User")
		return id, id != ""
	}
	key := ratelimit.ByUser(userID)

	r := httptest.NewRequest(http.MethodGet, "/api/v1/users/me", nil)
	fmt.Println(key(r))
	r.Header.Set("X-Example-User", "42")
	fmt.Println(key(r))
	// Output:
	// ip:192.0.2.1
	// user:42
}

func ExampleNewTiers() {
	// From RATE_LIMIT_STRICT, _DEFAULT, _LENIENT, _USER and _WINDOW.
	tiers := ratelimit.NewTiers(10, 100, 1000, 300, 60*time.Second)
	fmt.Println(tiers.Strict.Name, tiers.Strict.Limit, tiers.User.Limit, tiers.User.Window)
	// Output:
	// strict 10 300 1m0s
}

func ExampleDefaultTiers() {
	tiers := ratelimit.DefaultTiers()
	fmt.Println(tiers.Strict.Limit, tiers.Default.Limit, tiers.Lenient.Limit, tiers.User.Limit)
	// Output:
	// 10 100 1000 300
}
