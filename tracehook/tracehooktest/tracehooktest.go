// Package tracehooktest records the spans reported through a
// tracehook.Start, for tests of the packages that report them and of the
// hooks a service passes on:
//
//	rec := &tracehooktest.Recorder{}
//	limiter := ratelimit.New(store, ratelimit.Options{Trace: rec.Start})
//	limiter.Allow(ctx, "ip:192.0.2.1", policy)
//	spans := rec.Spans() // [{Name: "ratelimit.allow", ...}]
package tracehooktest

import (
	"context"
	"sync"

	"github.com/groundwork-go/groundwork/tracehook"
)

// Span is one span a Recorder saw start.
type Span struct {
	// ID numbers the spans from 1 in the order they started.
	ID int
	// Parent is the ID of the span the starting context carried, 0 for
	// none.
	Parent int
	// Name is the name given to Start.
	Name string
	// Attrs are the attributes given to Start, then those given to End.
	Attrs []tracehook.Attr
	// Ended reports whether End was called; Err is the error given to it.
	Ended bool
	Err   error
	// Ends counts the calls of End (a correct caller makes one).
	Ends int
}

// Attr returns the value of the last attribute named key, and whether
// there is one.
func (s Span) Attr(key string) (any, bool) {
	for i := len(s.Attrs) - 1; i >= 0; i-- {
		if s.Attrs[i].Key == key {
			return s.Attrs[i].Value, true
		}
	}
	return nil, false
}

// Recorder records spans. Its zero value is ready to use, and it is safe
// for concurrent use.
type Recorder struct {
	mu    sync.Mutex
	spans []Span
}

type spanKey struct{}

var _ tracehook.Start = (*Recorder)(nil).Start

// Start implements tracehook.Start.
func (r *Recorder) Start(ctx context.Context, name string, attrs ...tracehook.Attr) (context.Context, tracehook.End) {
	parent, _ := ctx.Value(spanKey{}).(int)
	r.mu.Lock()
	id := len(r.spans) + 1
	r.spans = append(r.spans, Span{ID: id, Parent: parent, Name: name, Attrs: append([]tracehook.Attr(nil), attrs...)})
	r.mu.Unlock()
	return context.WithValue(ctx, spanKey{}, id), func(err error, attrs ...tracehook.Attr) {
		r.mu.Lock()
		defer r.mu.Unlock()
		s := &r.spans[id-1]
		s.Attrs = append(s.Attrs, attrs...)
		s.Ended, s.Err = true, err
		s.Ends++
	}
}

// Spans returns a copy of the spans recorded so far, in the order they
// started.
func (r *Recorder) Spans() []Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Span, len(r.spans))
	for i, s := range r.spans {
		s.Attrs = append([]tracehook.Attr(nil), s.Attrs...)
		out[i] = s
	}
	return out
}

// Names returns the names of the spans recorded so far, in the order they
// started.
func (r *Recorder) Names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := make([]string, len(r.spans))
	for i, s := range r.spans {
		names[i] = s.Name
	}
	return names
}
