package ratelimit

import (
	"context"
	_ "embed"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/rueidis"
)

// DefaultRedisPrefix is RedisOptions.Prefix when empty.
const DefaultRedisPrefix = "ratelimit:"

//go:embed ratelimit.lua
var luaSource string

// The script writes, so it is not retryable: a retry after a lost reply
// could record one request twice.
var allowScript = rueidis.NewLuaScript(luaSource)

// RedisOptions configure a RedisStore. The zero value is ready to use.
type RedisOptions struct {
	// Prefix starts every key the store writes. Default: DefaultRedisPrefix.
	Prefix string
	// DedicatedClient says the client serves nothing but this store's
	// decisions made through Limiters (each bounded by the Limiter's
	// timeout). A rueidis caller may wait for a reconnect another caller
	// started, for as long as that caller's context allows; when every
	// caller is a Limiter, that wait ends within the timeout, so the Limiter
	// calls the store on the request's goroutine instead of spending a
	// goroutine, a channel and a timer on each decision. Leave it false on a
	// client shared with a cache or other callers whose contexts may run
	// longer. See NewRedisStore for a suitable client. Default: false.
	DedicatedClient bool
	// Batch sends concurrent decisions together: while one script call is
	// in flight, new decisions queue and the next call carries all of them
	// (one call per Redis Cluster slot, at most 512 decisions each), in
	// arrival order. A lone decision is sent at once; under load, Redis and
	// the client each do one command's work for many decisions. Callers
	// wait only as long as their context (or, through a Limiter, its
	// timeout) allows, so the Limiter calls a batching store directly,
	// without a goroutine or a timer per decision, on any client. A batch's
	// call is bounded by one second. Default: false.
	Batch bool
	// DisableLocalDenials makes every decision a script call. By default a
	// key the store denied is denied again in this process without asking
	// Redis until its Reset (under the same limit and window), which stays
	// exact: in a sliding log nothing makes room before Reset, since
	// entries leave the window only with time and other processes can only
	// add entries. A flood on one key then costs one script call per Reset
	// period instead of one per request. The local deadline is measured
	// with Now from the answer's arrival, so clocks are never compared;
	// Result.Time of a local denial is the Redis clock estimated from it.
	// Default: false.
	DisableLocalDenials bool
	// Now is the local clock that times local denials; only its intervals
	// matter. Default: time.Now.
	Now func() time.Time
}

// RedisStore is a Store in Redis (6.0 or later), shared by every process
// using the same Redis and prefix. Each decision is one script call (EVALSHA,
// falling back to EVAL) on one key, so it works on Redis Cluster, and uses
// the Redis clock (TIME), so app servers with skewed clocks agree. The script
// is not retried on connection errors, since a retry could count a request
// twice; such errors reach the Limiter, whose policy's FailMode decides. A
// key Redis denied is denied again in the process without a call until its
// Reset (see RedisOptions.DisableLocalDenials).
//
// A key with at most 32 entries (the times of its last allowed requests) is
// a string: one MGET reads the values of all the keys of a script call, and
// an allowed request is appended to its key's value (rewritten without the
// entries that left the window once a few did), so a decision on a key of
// its own costs about one command. A key with more entries becomes a list,
// and a string again once 16 or fewer are left: a header with its oldest
// and newest entries, then blocks of eight; a decision reads and writes the
// header alone, and entries move between the header and the blocks eight at
// a time, so the cost does not grow with the number of entries, and the key
// takes little more than the entries' 8 bytes each (a sorted set of the
// same entries takes several times more). The concurrent decisions of a
// batch on one key share one read and one write. A key expires one to two
// windows after its last allowed request (the TTL is renewed to two windows
// when less than one is left). Values written by earlier versions of the
// script are not read: such a key starts over once.
type RedisStore struct {
	client    rueidis.Client
	prefix    string
	dedicated bool
	batch     *batcher // nil unless RedisOptions.Batch
	denials   *denials // nil with RedisOptions.DisableLocalDenials
	now       func() time.Time

	args      sync.Map // policyArgs → [3]string, see scriptArgs
	argsCount atomic.Int64
}

var _ Store = (*RedisStore)(nil)

// NewRedisStore returns a RedisStore using client, which the caller owns and
// closes.
//
// Under many concurrent requests, set RedisOptions.Batch; a client of its
// own without client-side caching (DisableCache) keeps the decisions'
// traffic apart from the application's other commands.
func NewRedisStore(client rueidis.Client, opts RedisOptions) *RedisStore {
	if opts.Prefix == "" {
		opts.Prefix = DefaultRedisPrefix
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &RedisStore{client: client, prefix: opts.Prefix, dedicated: opts.DedicatedClient, now: opts.Now}
	if opts.Batch {
		s.batch = newBatcher(client)
	}
	if !opts.DisableLocalDenials {
		s.denials = newDenials(opts.Now)
	}
	return s
}

// answersByDeadline implements contextBound. (A batching store is given
// the timeout instead: see boundsTimeout.)
func (s *RedisStore) answersByDeadline() bool { return s.dedicated }

// policyArgs identifies the script arguments of a policy.
type policyArgs struct {
	limit  int
	window time.Duration
}

// scriptArgs returns the script's arguments for p (limit, window in µs, TTL
// of two windows in ms, each rounded up), formatted once per policy.
func (s *RedisStore) scriptArgs(p Policy) [3]string {
	k := policyArgs{p.Limit, p.Window}
	if v, ok := s.args.Load(k); ok {
		return v.([3]string)
	}
	window := p.Window.Microseconds()
	args := [3]string{strconv.Itoa(p.Limit), strconv.FormatInt(window, 10), strconv.FormatInt(2*ceilDiv(window, 1000), 10)}
	if s.argsCount.Add(1) <= maxCachedArgs {
		s.args.Store(k, args)
	}
	return args
}

// maxCachedArgs bounds the policies whose arguments a store remembers
// (policies are few; this only guards against a caller making one per
// request).
const maxCachedArgs = 1024

// boundsTimeout implements timeoutBound: a batching store waits for its
// batch or the timeout, whichever comes first.
func (s *RedisStore) boundsTimeout() bool { return s.batch != nil }

// Allow implements Store.
func (s *RedisStore) Allow(ctx context.Context, key string, p Policy) (Result, error) {
	return s.allowWithin(ctx, "", key, p, 0)
}

// allowWithin is Allow for the key scope:key (key alone when scope is
// empty), waiting at most timeout (when positive) for a batched decision;
// an unbatched call is bounded by ctx alone.
func (s *RedisStore) allowWithin(ctx context.Context, scope, key string, p Policy, timeout time.Duration) (Result, error) {
	if err := p.Validate(); err != nil {
		return Result{}, err
	}
	full := s.prefix + key
	if scope != "" {
		full = s.prefix + scope + ":" + key
	}
	if s.denials != nil {
		if r, ok := s.denials.check(full, p); ok {
			return r, nil
		}
	}
	args := s.scriptArgs(p)
	var d decision
	if s.batch != nil {
		var err error
		if d, err = s.batch.decide(ctx, full, args, timeout); err != nil {
			return Result{}, err
		}
	} else {
		ds, err := runScript(ctx, s.client, []string{full}, [][3]string{args})
		if err != nil {
			return Result{}, err
		}
		d = ds[0]
	}
	if !d.allowed && s.denials != nil {
		s.denials.add(full, p, d, s.now())
	}
	return d.result(p.Limit), nil
}

// deniedLocally implements localDenier for the key scope:key.
func (s *RedisStore) deniedLocally(scope, key string, p Policy) (Result, bool) {
	if s.denials == nil || p.Validate() != nil {
		return Result{}, false
	}
	return s.denials.check(s.prefix+scope+":"+key, p)
}
