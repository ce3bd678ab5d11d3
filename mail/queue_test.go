package mail

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer collects log output written from several goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func testLogger() (*slog.Logger, *lockedBuffer) {
	buf := &lockedBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// gate is a Deliverer whose deliveries wait until released (or until their
// context ends), so tests can hold workers busy.
type gate struct {
	started chan *Message
	release chan struct{}
}

func newGate() *gate { return &gate{started: make(chan *Message, 100), release: make(chan struct{})} }

func (g *gate) Send(ctx context.Context, m *Message) (Result, error) {
	g.started <- m
	select {
	case <-g.release:
		return Result{ID: "ok"}, nil
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

func subject(s string) *Message {
	m := validMessage()
	m.Subject = s
	return m
}

func TestQueueDeliversEverythingOnClose(t *testing.T) {
	rec := NewRecorder()
	log, logs := testLogger()
	q := NewQueue(NewSender(rec, SenderOptions{}), QueueOptions{Workers: 3, Logger: log})
	for i := range 20 {
		if err := q.Enqueue(subject("m" + string(rune('a'+i)))); err != nil {
			t.Fatalf("enqueue %d: %v", i, err)
		}
	}
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := len(rec.Messages()); got != 20 {
		t.Errorf("delivered: got %d, want 20", got)
	}
	if got, want := q.Stats(), (QueueStats{Enqueued: 20, Sent: 20}); got != want {
		t.Errorf("stats: got %+v, want %+v", got, want)
	}
	if got := strings.Count(logs.String(), "mail: email sent"); got != 20 {
		t.Errorf("debug records: got %d, want 20", got)
	}
}

func TestQueueFullFailsWithoutBlocking(t *testing.T) {
	g := newGate()
	log, logs := testLogger()
	q := NewQueue(g, QueueOptions{Capacity: 1, Workers: 1, Logger: log})
	if err := q.Enqueue(subject("first")); err != nil {
		t.Fatal(err)
	}
	<-g.started // the worker holds "first"; the buffer is empty
	if err := q.Enqueue(subject("second")); err != nil {
		t.Fatalf("second: got %v, want nil (fits the buffer)", err)
	}
	if err := q.Enqueue(subject("third")); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("third: got %v, want ErrQueueFull", err)
	}
	if !strings.Contains(logs.String(), `msg="mail: email not queued" recipients=1 subject=third`) {
		t.Errorf("logs: want the refused message logged, got\n%s", logs)
	}
	close(g.release)
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := q.Stats(), (QueueStats{Enqueued: 2, Sent: 2, Refused: 1}); got != want {
		t.Errorf("stats: got %+v, want %+v", got, want)
	}
}

func TestQueueCloseDeadlineLogsEveryUndeliveredMessage(t *testing.T) {
	g := newGate() // never released: the provider hangs
	log, logs := testLogger()
	q := NewQueue(g, QueueOptions{Capacity: 10, Workers: 1, Logger: log})
	for _, s := range []string{"one", "two", "three"} {
		if err := q.Enqueue(subject(s)); err != nil {
			t.Fatal(err)
		}
	}
	<-g.started
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the shutdown deadline has already passed
	err := q.Close(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Close: got %v, want context.Canceled", err)
	}
	if got, want := q.Stats(), (QueueStats{Enqueued: 3, Failed: 3}); got != want {
		t.Errorf("stats: got %+v, want %+v", got, want)
	}
	out := logs.String()
	for _, s := range []string{"one", "two", "three"} {
		if !strings.Contains(out, "subject="+s) {
			t.Errorf("logs: no record for %q in\n%s", s, out)
		}
	}
	if got := strings.Count(out, "level=ERROR msg=\"mail: email not delivered"); got != 3 {
		t.Errorf("error records: got %d, want 3 in\n%s", got, out)
	}
}

func TestQueueClosed(t *testing.T) {
	q := NewQueue(NewRecorder(), QueueOptions{Logger: slog.New(slog.DiscardHandler)})
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := q.Close(context.Background()); err != nil {
		t.Errorf("second Close: got %v, want nil", err)
	}
	if err := q.Enqueue(validMessage()); !errors.Is(err, ErrQueueClosed) {
		t.Errorf("got %v, want ErrQueueClosed", err)
	}
}

func TestQueueRefusesBadMessagesUpFront(t *testing.T) {
	rec := NewRecorder()
	q := NewQueue(NewSender(rec, SenderOptions{DefaultFrom: Address{Email: "a@acme.test"}, Templates: testTemplates(t)}), QueueOptions{Logger: slog.New(slog.DiscardHandler)})
	t.Cleanup(func() { q.Close(context.Background()) })
	if err := q.Enqueue(&Message{To: AddressList{{Email: "nope"}}, Text: "x", Subject: "s"}); !errors.Is(err, ErrInvalidMessage) {
		t.Errorf("invalid: got %v, want ErrInvalidMessage", err)
	}
	if err := q.Enqueue(newWelcomeMessage(Address{Email: "b@example.com"}, welcomeData{AppName: "G"})); !errors.Is(err, ErrTemplate) {
		t.Errorf("missing data: got %v, want ErrTemplate", err)
	}
	if got := q.Stats().Refused; got != 2 {
		t.Errorf("refused: got %d, want 2", got)
	}
}

func TestQueueLogsDeliveryFailures(t *testing.T) {
	rec := NewRecorder()
	rec.FailWith(&ProviderError{Provider: "resend", StatusCode: 403, Code: "invalid_api_key", Message: "API key is invalid"})
	log, logs := testLogger()
	q := NewQueue(NewSender(rec, SenderOptions{}), QueueOptions{Logger: log})
	msg := validMessage()
	msg.IdempotencyKey = "k-1"
	if err := q.Enqueue(msg); err != nil {
		t.Fatal(err)
	}
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if !strings.Contains(out, `msg="mail: email not delivered" recipients=1 subject=Hello idempotency_key=k-1 error="mail: send (attempt 1): mail: resend: HTTP 403 invalid_api_key: API key is invalid"`) {
		t.Errorf("logs: want the failure with its cause, got\n%s", out)
	}
	if strings.Contains(out, "ada@example.com") {
		t.Errorf("logs: recipient address leaked:\n%s", out)
	}
	if got, want := q.Stats(), (QueueStats{Enqueued: 1, Failed: 1}); got != want {
		t.Errorf("stats: got %+v, want %+v", got, want)
	}
}

func TestQueueConcurrentEnqueueAndClose(t *testing.T) {
	rec := NewRecorder()
	q := NewQueue(rec, QueueOptions{Capacity: 8, Workers: 2, Logger: slog.New(slog.DiscardHandler)})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				err := q.Enqueue(validMessage())
				if err != nil && !errors.Is(err, ErrQueueFull) && !errors.Is(err, ErrQueueClosed) {
					t.Errorf("got %v, want nil, ErrQueueFull or ErrQueueClosed", err)
				}
			}
		})
	}
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	st := q.Stats()
	if st.Enqueued != st.Sent || st.Failed != 0 || st.Enqueued+st.Refused != 400 || int64(len(rec.Messages())) != st.Sent {
		t.Errorf("stats %+v with %d recorded: want every accepted message sent and 400 offers in total", st, len(rec.Messages()))
	}
}
