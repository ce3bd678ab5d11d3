package cache

// Event is something a Typed cache observed, reported to
// TypedOptions.OnEvent so that a metrics package can count it without this
// package depending on one.
type Event uint8

// The events a Typed cache reports.
const (
	// EventHit: a value (or a cached absence) was found in the store.
	EventHit Event = iota + 1
	// EventMiss: the store had no value for the key.
	EventMiss
	// EventLoad: the loader ran (once for the concurrent misses of a key
	// in one process) and succeeded.
	EventLoad
	// EventLoadError: the loader failed; the error is returned to every
	// caller that shared the load and is not cached.
	EventLoadError
	// EventBackendError: the store failed (for example Redis is down); the
	// caller was served by the loader instead and the error was logged.
	EventBackendError
)

// String returns the event's lower-case name, suitable as a metric label.
func (e Event) String() string {
	switch e {
	case EventHit:
		return "hit"
	case EventMiss:
		return "miss"
	case EventLoad:
		return "load"
	case EventLoadError:
		return "load_error"
	case EventBackendError:
		return "backend_error"
	}
	return "unknown"
}
