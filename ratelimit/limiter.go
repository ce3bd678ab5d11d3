package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/tracehook"
)

// Limiter defaults.
const (
	// DefaultTimeout is Options.Timeout when zero.
	DefaultTimeout = 50 * time.Millisecond
	// DefaultMaxPending is Options.MaxPending when zero.
	DefaultMaxPending = 4096
)

// errOverloaded fails a decision open when too many store calls are pending.
var errOverloaded = errors.New("ratelimit: too many store calls pending")

// failLogInterval spaces out fail-open log lines during an outage.
const failLogInterval = 10 * time.Second

// Outcome is what a Limiter decided for one request.
type Outcome int

// Outcomes of Limiter.Allow.
const (
	// OutcomeAllowed means the store allowed the request.
	OutcomeAllowed Outcome = iota
	// OutcomeDenied means the store denied the request.
	OutcomeDenied
	// OutcomeFailedOpen means the store failed or timed out and the
	// request was allowed without a decision (FailOpen).
	OutcomeFailedOpen
	// OutcomeFallbackAllowed means the store failed or timed out and the
	// fallback memory store allowed the request (FailLocal).
	OutcomeFallbackAllowed
	// OutcomeFallbackDenied means the store failed or timed out and the
	// fallback memory store denied the request (FailLocal).
	OutcomeFallbackDenied
	// OutcomeFailedClosed means the store failed or timed out and the
	// request was denied without a decision (FailClosed).
	OutcomeFailedClosed

	numOutcomes
)

var outcomeNames = [numOutcomes]string{"allowed", "denied", "failed_open", "fallback_allowed", "fallback_denied", "failed_closed"}

// String returns "allowed", "denied", "failed_open", "fallback_allowed",
// "fallback_denied" or "failed_closed", suitable as a metric label.
func (o Outcome) String() string {
	if o < 0 || o >= numOutcomes {
		return "unknown"
	}
	return outcomeNames[o]
}

// Options configure a Limiter. The zero value is ready to use.
type Options struct {
	// Timeout bounds the time a request waits for the store; a slower
	// store fails as the request's Policy.Fail says. The bound holds even
	// when the store ignores its context (as a shared Redis client does
	// while another caller holds a reconnect): such a store runs in a
	// goroutine per call. A MemoryStore
	// never blocks and is called directly, without a timeout; a RedisStore
	// with DedicatedClient is called directly with the timeout, and one with
	// Batch is called directly and ends the wait itself at the timeout.
	// Default: DefaultTimeout.
	Timeout time.Duration
	// MaxPending bounds the store calls still running in their own
	// goroutines, including those abandoned after Timeout; beyond it
	// requests fail at once, so an outage cannot pile up goroutines.
	// Default: DefaultMaxPending.
	MaxPending int
	// Logger receives a warning when the store fails, at most once every
	// 10 seconds with the number of failures since the last warning.
	// Keys (client IPs, user ids) are not logged. Default: slog.Default().
	Logger *slog.Logger
	// OnEvent, when set, receives an EventDecision after every decision,
	// with the policy and the outcome, for metrics. It runs on the request
	// path and must be fast and safe for concurrent use. Default: nil.
	OnEvent func(Event)
	// Fallback decides the requests of FailLocal policies while the store
	// fails. Default: a MemoryStore with zero MemoryOptions, made by New.
	Fallback *MemoryStore
	// ErrorWriter writes the Middleware's 429 and 503 responses, with the
	// X-RateLimit-* and Retry-After headers already set. Default: nil,
	// the httpx error envelope.
	ErrorWriter httpx.ErrorWriter
	// Trace, when set, reports every decision as a span named
	// "ratelimit.allow", with the policy's name
	// ("groundwork.ratelimit.policy"), the outcome
	// ("groundwork.ratelimit.outcome", as Outcome.String) and whether the
	// request was allowed ("groundwork.ratelimit.allowed"); a store failure
	// is the span's error. Keys are not reported. Default: nil, no spans.
	Trace tracehook.Start
}

// Stats are a Limiter's decision counters since it was created.
type Stats struct {
	// Allowed counts requests the store allowed.
	Allowed uint64
	// Denied counts requests the store denied.
	Denied uint64
	// FailedOpen counts requests allowed because the store failed.
	FailedOpen uint64
	// FallbackAllowed and FallbackDenied count the requests the fallback
	// store decided because the store failed.
	FallbackAllowed, FallbackDenied uint64
	// FailedClosed counts requests denied because the store failed.
	FailedClosed uint64
}

// Limiter decides requests with a Store; when the store fails, each
// policy's FailMode decides.
type Limiter struct {
	store      Store
	direct     bool         // call the store without a goroutine: it never outlives its context
	within     timeoutBound // non-nil: the store bounds the wait by the timeout itself
	timeout    time.Duration
	maxPending int64
	pending    atomic.Int64
	logger     *slog.Logger
	onEvent    func(Event)
	trace      tracehook.Start
	fallback   *MemoryStore
	errWriter  httpx.ErrorWriter

	counts [numOutcomes]atomic.Uint64

	logMu      sync.Mutex
	nextLog    time.Time
	suppressed int
}

// New returns a Limiter over store.
func New(store Store, opts Options) *Limiter {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxPending <= 0 {
		opts.MaxPending = DefaultMaxPending
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Fallback == nil {
		opts.Fallback = NewMemoryStore(MemoryOptions{})
	}
	l := &Limiter{store: store, timeout: opts.Timeout, maxPending: int64(opts.MaxPending),
		logger: opts.Logger, onEvent: opts.OnEvent, trace: opts.Trace, fallback: opts.Fallback, errWriter: opts.ErrorWriter}
	if cb, ok := store.(contextBound); ok {
		l.direct = cb.answersByDeadline()
	}
	if tb, ok := store.(timeoutBound); ok && tb.boundsTimeout() {
		l.within = tb
	}
	return l
}

// Allow decides one request by key under p. Keys are scoped by p's name, so
// the same key under two policies is counted twice, apart. When the store
// fails or does not answer within the timeout, p.Fail decides: FailOpen
// returns OutcomeFailedOpen and a Result that allows the request with Limit
// set and nothing else known; FailLocal returns the fallback store's
// decision as OutcomeFallbackAllowed or OutcomeFallbackDenied; FailClosed
// returns OutcomeFailedClosed and a Result that denies the request with
// Limit set and RetryAfter the Limiter's timeout.
func (l *Limiter) Allow(ctx context.Context, key string, p Policy) (Result, Outcome) {
	scope := p.scope()
	var end tracehook.End
	if l.trace != nil {
		ctx, end = l.trace(ctx, "ratelimit.allow", tracehook.String("groundwork.ratelimit.policy", scope))
	}
	r, err := l.ask(ctx, scope, key, p)
	outcome := OutcomeDenied
	switch {
	case err != nil:
		r, outcome = l.failed(ctx, scope, key, p)
		if ctx.Err() == nil { // not the client going away
			l.logFailure(p, err)
		}
	case r.Allowed:
		outcome = OutcomeAllowed
		if p.Fail == FailLocal && l.store != Store(l.fallback) {
			l.fallback.Allow(ctx, scope+":"+key, p) // so that a fallback counts this one
		}
	}
	l.counts[outcome].Add(1)
	if l.onEvent != nil {
		l.onEvent(Event{Kind: EventDecision, Policy: p, Outcome: outcome})
	}
	if end != nil {
		end(err, tracehook.String("groundwork.ratelimit.outcome", outcome.String()),
			tracehook.Bool("groundwork.ratelimit.allowed", r.Allowed))
	}
	return r, outcome
}

// failed decides a request the store failed to decide, as p.Fail says.
func (l *Limiter) failed(ctx context.Context, scope, key string, p Policy) (Result, Outcome) {
	switch p.Fail {
	case FailLocal:
		// The fallback never blocks; it errs only when the request's
		// context has ended, and such a request is denied.
		r, err := l.fallback.Allow(ctx, scope+":"+key, p)
		if err == nil && r.Allowed {
			return r, OutcomeFallbackAllowed
		}
		return r, OutcomeFallbackDenied
	case FailClosed:
		return Result{Limit: p.Limit, RetryAfter: l.timeout}, OutcomeFailedClosed
	}
	return Result{Allowed: true, Limit: p.Limit}, OutcomeFailedOpen
}

// ask calls the store and waits at most the timeout. A store that may block
// runs in its own goroutine, so the bound holds even if it ignores ctx; one
// that answers by its context's deadline is called directly with the
// timeout; one that bounds the wait itself is given the timeout; and one
// that never blocks is called directly without it.
func (l *Limiter) ask(ctx context.Context, scope, key string, p Policy) (Result, error) {
	if l.within != nil {
		return l.within.allowWithin(ctx, scope, key, p, l.timeout)
	}
	if ld, ok := l.store.(localDenier); ok {
		if r, ok := ld.deniedLocally(scope, key, p); ok {
			return r, nil
		}
	}
	key = scope + ":" + key
	if _, ok := l.store.(nonBlocking); ok {
		return l.store.Allow(ctx, key, p)
	}
	ctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	if l.direct {
		return l.store.Allow(ctx, key, p)
	}
	if l.pending.Add(1) > l.maxPending {
		l.pending.Add(-1)
		return Result{}, errOverloaded
	}
	type answer struct {
		r   Result
		err error
	}
	ch := make(chan answer, 1)
	go func() {
		defer l.pending.Add(-1)
		r, err := l.store.Allow(ctx, key, p)
		ch <- answer{r, err}
	}()
	select {
	case a := <-ch:
		return a.r, a.err
	case <-ctx.Done():
		select {
		case a := <-ch: // answered while this goroutine waited for a CPU
			return a.r, a.err
		default:
			return Result{}, fmt.Errorf("ratelimit: store did not answer: %w", ctx.Err())
		}
	}
}

// nonBlocking is implemented by stores that never wait (MemoryStore); the
// Limiter calls them directly.
type nonBlocking interface{ nonBlocking() }

// localDenier is implemented by stores that may know a decision without
// asking (RedisStore); the Limiter asks them first, before it spends a
// goroutine or a timer on the store.
type localDenier interface {
	// deniedLocally returns the denial of scope:key under p if the store
	// knows it without a call.
	deniedLocally(scope, key string, p Policy) (Result, bool)
}

// contextBound is implemented by stores that may know they return by their
// context's deadline (RedisStore with DedicatedClient); the Limiter
// calls those directly with its timeout.
type contextBound interface{ answersByDeadline() bool }

// timeoutBound is implemented by stores that may bound the wait for a
// decision by a timeout themselves, without a context and a timer for each
// call (RedisStore with Batch); the Limiter gives those its timeout.
type timeoutBound interface {
	boundsTimeout() bool
	// allowWithin decides the key scope:key.
	allowWithin(ctx context.Context, scope, key string, p Policy, timeout time.Duration) (Result, error)
}

// Stats returns the decision counters.
func (l *Limiter) Stats() Stats {
	return Stats{
		Allowed:         l.counts[OutcomeAllowed].Load(),
		Denied:          l.counts[OutcomeDenied].Load(),
		FailedOpen:      l.counts[OutcomeFailedOpen].Load(),
		FallbackAllowed: l.counts[OutcomeFallbackAllowed].Load(),
		FallbackDenied:  l.counts[OutcomeFallbackDenied].Load(),
		FailedClosed:    l.counts[OutcomeFailedClosed].Load(),
	}
}

// logFailure logs a store failure unless one was logged recently.
func (l *Limiter) logFailure(p Policy, err error) {
	l.logMu.Lock()
	now := time.Now()
	if now.Before(l.nextLog) {
		l.suppressed++
		l.logMu.Unlock()
		return
	}
	suppressed := l.suppressed
	l.suppressed, l.nextLog = 0, now.Add(failLogInterval)
	l.logMu.Unlock()
	l.logger.Warn("ratelimit: store failed; requests fail as their policies say",
		"policy", p.scope(), "fail", p.Fail.String(), "err", err, "failures_not_logged", suppressed)
}
