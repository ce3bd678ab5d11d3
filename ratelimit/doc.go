// Package ratelimit is an exact sliding-window-log rate limiter for net/http
// services, with a Redis store for fleets of app servers and a memory store
// for a single process.
//
// A Policy allows at most Limit requests in any interval of length Window,
// measured in microseconds: a request at time t is allowed when fewer than
// Limit earlier allowed requests happened after t-Window. Denied requests are
// not recorded, so a client that keeps retrying regains access as soon as its
// oldest request leaves the window. Two requests in the same microsecond both
// count.
//
// A Limiter puts a timeout in front of a Store. When the store errors or is
// slow, the failure is logged and counted and the policy's FailMode decides:
// FailOpen (the default) allows the request, so a Redis outage never takes
// the API down with it; FailLocal decides it with an in-process memory store,
// so each process still enforces the limit (the strict tier of NewTiers,
// which guards logins against guessing); FailClosed denies it with 503.
//
// Each decision on a RedisStore is one script call. Under many concurrent
// requests, set RedisOptions.Batch: concurrent decisions then share one
// script call (per Redis Cluster slot), and the Limiter calls the store
// without a goroutine or a timer per decision (one watchdog timer per store
// ends the waits that reach the Limiter's timeout). A key the RedisStore
// denied is denied again in the process, without a call, until its Reset;
// that stays exact, since nothing can make room in a sliding log before then.
//
// Usage:
//
//	store := ratelimit.NewRedisStore(redisClient, ratelimit.RedisOptions{})
//	limiter := ratelimit.New(store, ratelimit.Options{})
//	tiers := ratelimit.DefaultTiers()
//	mux.Handle("POST /login",
//		limiter.Middleware(tiers.Strict, ratelimit.ByIP)(loginHandler))
//	mux.Handle("GET /me", authn.Middleware(
//		limiter.Middleware(tiers.User, ratelimit.ByUser(auth.SubjectFromRequest))(meHandler)))
//
// Mount the limiter inside authentication when it keys by user (ByUser reads
// the identity the authentication middleware stored), and give
// Options.ErrorWriter your own writer to keep your error format.
package ratelimit
