package mail

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// QueueOptions holds the optional settings of a Queue. The zero value gives
// a queue of 256 messages served by 2 workers.
type QueueOptions struct {
	// Capacity is how many messages may wait; Enqueue fails with
	// ErrQueueFull beyond it. Default: 256.
	Capacity int
	// Workers is how many messages are sent concurrently. Default: 2.
	Workers int
	// SendTimeout bounds the delivery of one message, retries included.
	// Default: 2 minutes.
	SendTimeout time.Duration
	// Logger receives one record per message that is not delivered (Error)
	// and per message sent (Debug). Default: slog.Default().
	Logger *slog.Logger
}

// QueueStats counts what a Queue did with the messages offered to it.
type QueueStats struct {
	// Enqueued counts messages accepted by Enqueue.
	Enqueued int64
	// Sent counts messages the provider accepted.
	Sent int64
	// Failed counts accepted messages that were not delivered (each logged).
	Failed int64
	// Refused counts messages Enqueue turned away (invalid, queue full or
	// closed).
	Refused int64
}

// preparer is implemented by *Sender: Enqueue uses it to validate and render
// a message before accepting it.
type preparer interface {
	Prepare(msg *Message) (*Message, error)
}

// Queue sends messages in the background so that callers (an HTTP handler)
// never wait for a provider. Enqueue never blocks: it returns an error when
// the message is invalid or the queue is full or closed. Close stops intake
// and drains the queue; every accepted message is then either delivered or
// logged as not delivered — none is dropped silently.
//
// Messages are sent with a Deliverer, normally a *Sender; with a Sender,
// Enqueue validates and renders the message first, so a bad message or a
// missing template field is reported to the caller, not just logged.
type Queue struct {
	d       Deliverer
	opts    QueueOptions
	log     *slog.Logger
	ch      chan *Message
	ctx     context.Context // cancelled when Close gives up waiting
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	mu      sync.RWMutex // guards closed against concurrent sends on ch
	closed  bool
	stopped chan struct{}

	enqueued, sent, failed, refused atomic.Int64
}

// NewQueue starts a Queue's workers. Call Close to stop them.
func NewQueue(d Deliverer, opts QueueOptions) *Queue {
	if opts.Capacity <= 0 {
		opts.Capacity = 256
	}
	if opts.Workers <= 0 {
		opts.Workers = 2
	}
	if opts.SendTimeout <= 0 {
		opts.SendTimeout = 2 * time.Minute
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	q := &Queue{d: d, opts: opts, log: opts.Logger, ch: make(chan *Message, opts.Capacity), ctx: ctx, cancel: cancel, stopped: make(chan struct{})}
	q.wg.Add(opts.Workers)
	for range opts.Workers {
		go q.work()
	}
	go func() { q.wg.Wait(); close(q.stopped) }()
	return q
}

// Enqueue accepts msg for background delivery, or fails at once with a
// validation or template error (when the Deliverer is a *Sender),
// ErrQueueFull or ErrQueueClosed. A refused message is also logged, so the
// caller may ignore the error. msg may be reused after Enqueue returns.
func (q *Queue) Enqueue(msg *Message) error {
	m, err := q.prepare(msg)
	if err == nil {
		err = q.offer(m)
	}
	if err != nil {
		q.refused.Add(1)
		q.log.Error("mail: email not queued", append(msgAttrs(msg), slog.Any("error", err))...)
		return err
	}
	q.enqueued.Add(1)
	return nil
}

func (q *Queue) prepare(msg *Message) (*Message, error) {
	if p, ok := q.d.(preparer); ok {
		return p.Prepare(msg)
	}
	m := *msg
	return &m, nil
}

func (q *Queue) offer(m *Message) error {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		return fmt.Errorf("mail: enqueue: %w", ErrQueueClosed)
	}
	select {
	case q.ch <- m:
		return nil
	default:
		return fmt.Errorf("mail: enqueue: %w (capacity %d)", ErrQueueFull, q.opts.Capacity)
	}
}

// Close stops accepting messages and waits until every queued message has
// been delivered or has failed. When ctx ends first, Close cancels the
// deliveries in flight, logs each message still queued as not delivered,
// and returns an error wrapping ctx.Err(). Close may be called more than
// once; later calls wait for the same drain.
func (q *Queue) Close(ctx context.Context) error {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		close(q.ch)
	}
	q.mu.Unlock()
	select {
	case <-q.stopped:
		return nil
	case <-ctx.Done():
		q.cancel()
		<-q.stopped
		return fmt.Errorf("mail: queue close: %w (%d email(s) not delivered in total)", ctx.Err(), q.failed.Load())
	}
}

// Stats returns the queue's counters.
func (q *Queue) Stats() QueueStats {
	return QueueStats{Enqueued: q.enqueued.Load(), Sent: q.sent.Load(), Failed: q.failed.Load(), Refused: q.refused.Load()}
}

func (q *Queue) work() {
	defer q.wg.Done()
	for m := range q.ch {
		q.deliver(m)
	}
}

func (q *Queue) deliver(m *Message) {
	if err := q.ctx.Err(); err != nil {
		q.failed.Add(1)
		q.log.Error("mail: email not delivered: shutdown deadline passed", append(msgAttrs(m), slog.Any("error", err))...)
		return
	}
	ctx, cancel := context.WithTimeout(q.ctx, q.opts.SendTimeout)
	defer cancel()
	res, err := q.d.Send(ctx, m)
	if err != nil {
		q.failed.Add(1)
		q.log.Error("mail: email not delivered", append(msgAttrs(m), slog.Any("error", err))...)
		return
	}
	q.sent.Add(1)
	q.log.Debug("mail: email sent", append(msgAttrs(m), slog.String("id", res.ID))...)
}

// msgAttrs identifies a message in logs without its body or addresses
// (personal data): template or subject, recipient count, idempotency key.
func msgAttrs(m *Message) []any {
	attrs := []any{slog.Int("recipients", len(m.To)+len(m.Cc)+len(m.Bcc))}
	if m.Template != "" {
		attrs = append(attrs, slog.String("template", m.Template))
	}
	if m.Subject != "" {
		attrs = append(attrs, slog.String("subject", m.Subject))
	}
	if m.IdempotencyKey != "" {
		attrs = append(attrs, slog.String("idempotency_key", m.IdempotencyKey))
	}
	return attrs
}
