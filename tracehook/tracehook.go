// Package tracehook is the one shape through which Groundwork's packages
// report spans (units of work for distributed tracing) without importing a
// tracing library: a Start function in their options. A nil Start means
// tracing is off, and then a package does nothing beyond one nil check.
//
// The tracing package adapts Start to OpenTelemetry; any other tracer can
// be adapted the same way, in a few lines:
//
//	limiter := ratelimit.New(store, ratelimit.Options{Trace: tracer.Start})
//	hasher := users.NewHasher(users.HasherOptions{Trace: tracer.Start})
//
// A package calls it around the work it reports:
//
//	if o.Trace != nil {
//		var end tracehook.End
//		ctx, end = o.Trace(ctx, "ratelimit.allow", tracehook.String("groundwork.ratelimit.policy", name))
//		defer func() { end(err, tracehook.Bool("groundwork.ratelimit.allowed", allowed)) }()
//	}
package tracehook

import "context"

// Start begins a span named name as a child of the span ctx carries (a
// root span when it carries none) and returns a context that carries the
// new span, for the work inside it, and the function that ends it. Names
// are fixed strings, never built from request data; attrs describe the
// work. Implementations must be safe for concurrent use.
type Start func(ctx context.Context, name string, attrs ...Attr) (context.Context, End)

// End ends the span Start began, once. A non-nil err marks the span
// failed; attrs are added to the span before it ends (outcomes known only
// at the end, such as a rate-limit decision).
type End func(err error, attrs ...Attr)

// Attr is one attribute of a span: a key, by convention dotted and
// prefixed with the library's name ("groundwork.ratelimit.policy"), and a
// value that is a string, an int64 or a bool. Attributes never carry
// secrets: no passwords, tokens, keys or personal data.
type Attr struct {
	// Key names the attribute.
	Key string
	// Value is a string, an int64 or a bool.
	Value any
}

// String returns a string attribute.
func String(key, value string) Attr { return Attr{Key: key, Value: value} }

// Int returns an integer attribute.
func Int(key string, value int64) Attr { return Attr{Key: key, Value: value} }

// Bool returns a boolean attribute.
func Bool(key string, value bool) Attr { return Attr{Key: key, Value: value} }
