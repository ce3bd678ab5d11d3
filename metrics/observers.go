package metrics

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/groundwork-go/groundwork/auth"
	"github.com/groundwork-go/groundwork/cache"
	"github.com/groundwork-go/groundwork/ratelimit"
)

// DefaultCacheName is the cache label of events reported to
// ObserveCacheEvent.
const DefaultCacheName = "default"

// revocationResults are the results of a revocation check, in the order
// of the auth check events (EventCheckOK, EventCheckRevoked,
// EventCheckError).
var revocationResults = [...]string{"ok", "revoked", "error"}

// sessionEvents are the session events counted, then the label for any
// other event kind.
var sessionEvents = [...]string{auth.EventSessionStarted, auth.EventSessionEnded, auth.EventRefreshReuse, OtherValue}

// newObservers creates the collectors fed by the other packages' hooks.
func (m *Metrics) newObservers(ns string) {
	m.rateLimit = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: ns, Subsystem: "ratelimit", Name: "decisions_total",
		Help: "Rate-limit decisions, by policy name and outcome (allowed, denied, failed_open).",
	}, []string{"policy", "outcome"})
	m.evictions = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: ns, Subsystem: "ratelimit", Name: "evictions_total",
		Help: "Keys a memory rate-limit store forgot because their policy was at its bound, by policy name and whether the key was still denied (denied=\"true\": a client got a fresh window early).",
	}, []string{"policy", "denied"})
	m.revocation = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: ns, Subsystem: "auth", Name: "revocation_checks_total",
		Help: "Token revocation checks, by result (ok, revoked, error).",
	}, []string{"result"})
	for i, r := range revocationResults {
		m.revocationBy[i] = m.revocation.WithLabelValues(r)
	}
	m.session = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: ns, Subsystem: "auth", Name: "session_events_total",
		Help: "Session events, by event (session_started, session_ended, refresh_reuse: a consumed refresh token presented again, which ends its session).",
	}, []string{"event"})
	for i, e := range sessionEvents {
		m.sessionBy[i] = m.session.WithLabelValues(e)
	}
	m.cache = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: ns, Subsystem: "cache", Name: "events_total",
		Help: "Cache events, by cache name and event (hit, miss, load, load_error, backend_error).",
	}, []string{"cache", "event"})
	m.defaultCache = m.CacheObserver(DefaultCacheName)
}

// ObserveRateLimitEvent counts one rate-limit event: a decision by policy
// name and outcome, or a memory store's eviction by policy name and whether
// the key was still denied. Its signature is that of
// ratelimit.Options.OnEvent and ratelimit.MemoryOptions.OnEvent. An unnamed
// policy is labelled as the limiter names it, for example "100/1m0s".
func (m *Metrics) ObserveRateLimitEvent(e ratelimit.Event) {
	name := e.Policy.Name
	if name == "" {
		name = strconv.Itoa(e.Policy.Limit) + "/" + e.Policy.Window.String()
	}
	switch e.Kind {
	case ratelimit.EventDecision:
		m.rateLimit.WithLabelValues(name, e.Outcome.String()).Inc()
	case ratelimit.EventEviction:
		m.evictions.WithLabelValues(name, strconv.FormatBool(e.Denied)).Inc()
	}
}

// ObserveAuthEvent counts one auth event: a revocation check by result
// (ok, revoked, error) or a session event. Its signature is that of
// auth.Options.OnEvent.
func (m *Metrics) ObserveAuthEvent(e auth.Event) {
	switch e.Kind {
	case auth.EventCheckOK:
		m.revocationBy[0].Inc()
	case auth.EventCheckRevoked:
		m.revocationBy[1].Inc()
	case auth.EventCheckError:
		m.revocationBy[2].Inc()
	default:
		i := len(sessionEvents) - 1
		for j, k := range sessionEvents[:i] {
			if k == e.Kind {
				i = j
				break
			}
		}
		m.sessionBy[i].Inc()
	}
}

// ObserveCacheEvent counts one cache event under the cache label
// DefaultCacheName. Its signature is that of cache.TypedOptions.OnEvent;
// use CacheObserver to tell several caches apart.
func (m *Metrics) ObserveCacheEvent(e cache.Event) { m.defaultCache(e) }

// CacheObserver returns a function for cache.TypedOptions.OnEvent that
// counts events under the cache label name. Keep names few and fixed (one
// per cache), as each is a set of series.
func (m *Metrics) CacheObserver(name string) func(cache.Event) {
	var known [cache.EventBackendError + 1]prometheus.Counter
	for e := cache.EventHit; e <= cache.EventBackendError; e++ {
		known[e] = m.cache.WithLabelValues(name, e.String())
	}
	return func(e cache.Event) {
		if int(e) < len(known) && known[e] != nil {
			known[e].Inc()
			return
		}
		m.cache.WithLabelValues(name, e.String()).Inc()
	}
}
