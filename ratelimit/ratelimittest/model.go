package ratelimittest

import (
	"time"

	"github.com/groundwork-go/groundwork/ratelimit"
)

// Model is the reference sliding-window log the stores are checked against:
// it keeps every allowed request forever and counts them naively.
type Model struct {
	allowed []int64 // µs, in decision order
}

// Decide returns the result the store must give for a request at now under
// limit and window, and records it when allowed.
func (m *Model) Decide(now time.Time, limit int, window time.Duration) ratelimit.Result {
	at, w := now.UnixMicro(), window.Microseconds()
	var inWindow []int64
	for _, ts := range m.allowed {
		if ts > at-w {
			inWindow = append(inWindow, ts)
		}
	}
	r := ratelimit.Result{Limit: limit, Time: time.UnixMicro(at)}
	if len(inWindow) >= limit {
		r.Reset = time.UnixMicro(inWindow[len(inWindow)-limit] + w)
		r.RetryAfter = r.Reset.Sub(r.Time)
		return r
	}
	m.allowed = append(m.allowed, at)
	r.Allowed = true
	r.Remaining = limit - len(inWindow) - 1
	oldest := at
	if len(inWindow) > 0 {
		oldest = inWindow[0]
	}
	r.Reset = time.UnixMicro(oldest + w)
	return r
}
