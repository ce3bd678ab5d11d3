package mail

import (
	"context"
	"strconv"
	"sync"
)

// Recorder is an in-memory Provider for application tests: it keeps every
// message it is given instead of sending it. Put it behind a Sender to test
// the full path (validation, templates) without a network:
//
//	rec := mail.NewRecorder()
//	sender := mail.NewSender(rec, mail.SenderOptions{DefaultFrom: from})
//	// ... exercise the application ...
//	msgs := rec.Messages()
type Recorder struct {
	mu   sync.Mutex
	msgs []Message
	err  error
}

var _ Provider = (*Recorder)(nil)

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{} }

// Send records a copy of msg and returns the ID "rec-<n>", or the error set
// with FailWith (recording nothing).
func (r *Recorder) Send(ctx context.Context, msg *Message) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return Result{}, r.err
	}
	r.msgs = append(r.msgs, *msg)
	return Result{ID: "rec-" + strconv.Itoa(len(r.msgs))}, nil
}

// FailWith makes subsequent sends fail with err; nil restores success.
func (r *Recorder) FailWith(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.err = err
}

// Messages returns copies of the recorded messages in the order sent.
func (r *Recorder) Messages() []Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Message(nil), r.msgs...)
}

// Reset forgets the recorded messages.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = nil
}
