package ratelimit

// Event is what Options.OnEvent and MemoryOptions.OnEvent receive: one
// shape for every observation, so a single function (a metrics adapter, a
// logger) can be given to both.
type Event struct {
	// Kind is EventDecision or EventEviction.
	Kind string
	// Policy is the policy of the request concerned.
	Policy Policy
	// Outcome is the Limiter's decision, for EventDecision.
	Outcome Outcome
	// Denied reports, for EventEviction, whether the forgotten key was
	// still denied within its window (a client got a fresh window early).
	Denied bool
}

// Event kinds.
const (
	// EventDecision is reported by a Limiter after every decision.
	EventDecision = "decision"
	// EventEviction is reported by a MemoryStore for every key forgotten
	// because its policy was at its bound (not for keys swept after their
	// window).
	EventEviction = "eviction"
)
