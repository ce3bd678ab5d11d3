package ratelimit

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultTimeout is Options.Timeout when zero.
const DefaultTimeout = 50 * time.Millisecond

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
	// request was allowed without a decision.
	OutcomeFailedOpen
)

// String returns "allowed", "denied" or "failed_open", suitable as a metric
// label.
func (o Outcome) String() string {
	switch o {
	case OutcomeAllowed:
		return "allowed"
	case OutcomeDenied:
		return "denied"
	case OutcomeFailedOpen:
		return "failed_open"
	}
	return "unknown"
}

// Options configure a Limiter. The zero value is ready to use.
type Options struct {
	// Timeout bounds each store call; a slower store fails open. Default:
	// DefaultTimeout.
	Timeout time.Duration
	// Logger receives a warning when the store fails, at most once every
	// 10 seconds with the number of failures since the last warning.
	// Keys (client IPs, user ids) are not logged. Default: slog.Default().
	Logger *slog.Logger
	// OnDecision, when set, is called after every decision with the policy
	// and the outcome, for metrics. It runs on the request path and must be
	// fast and safe for concurrent use. Default: nil.
	OnDecision func(p Policy, o Outcome)
}

// Stats are a Limiter's decision counters since it was created.
type Stats struct {
	// Allowed counts requests the store allowed.
	Allowed uint64
	// Denied counts requests the store denied.
	Denied uint64
	// FailedOpen counts requests allowed because the store failed.
	FailedOpen uint64
}

// Limiter decides requests with a Store, failing open when the store fails.
type Limiter struct {
	store      Store
	timeout    time.Duration
	logger     *slog.Logger
	onDecision func(Policy, Outcome)

	counts [3]atomic.Uint64 // by Outcome

	logMu      sync.Mutex
	nextLog    time.Time
	suppressed int
}

// New returns a Limiter over store.
func New(store Store, opts Options) *Limiter {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Limiter{store: store, timeout: opts.Timeout, logger: opts.Logger, onDecision: opts.OnDecision}
}

// Allow decides one request by key under p. Keys are scoped by p's name, so
// the same key under two policies is counted twice, apart. When the store
// fails or does not answer within the timeout, Allow returns
// OutcomeFailedOpen and a Result that allows the request with Limit set and
// nothing else known.
func (l *Limiter) Allow(ctx context.Context, key string, p Policy) (Result, Outcome) {
	cctx, cancel := context.WithTimeout(ctx, l.timeout)
	r, err := l.store.Allow(cctx, p.scope()+":"+key, p)
	cancel()
	outcome := OutcomeDenied
	switch {
	case err != nil:
		outcome = OutcomeFailedOpen
		r = Result{Allowed: true, Limit: p.Limit}
		if ctx.Err() == nil { // not the client going away
			l.logFailure(p, err)
		}
	case r.Allowed:
		outcome = OutcomeAllowed
	}
	l.counts[outcome].Add(1)
	if l.onDecision != nil {
		l.onDecision(p, outcome)
	}
	return r, outcome
}

// Stats returns the decision counters.
func (l *Limiter) Stats() Stats {
	return Stats{
		Allowed:    l.counts[OutcomeAllowed].Load(),
		Denied:     l.counts[OutcomeDenied].Load(),
		FailedOpen: l.counts[OutcomeFailedOpen].Load(),
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
	l.logger.Warn("ratelimit: store failed; allowing requests",
		"policy", p.scope(), "err", err, "failures_not_logged", suppressed)
}
