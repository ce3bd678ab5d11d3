package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/rueidis"
)

// maxBatch bounds the decisions sent in one script call.
const maxBatch = 512

// batchTimeout bounds one batch's script call; each caller waits only as
// long as its own context allows.
const batchTimeout = time.Second

// batcher sends the concurrent decisions of a RedisStore together: while a
// batch is in flight, new decisions queue, and the next batch carries them
// all in one script call (one per Redis Cluster slot). Nothing waits on a
// timer, so a lone decision goes out at once; under load batches grow by
// themselves.
//
// A decision may carry a deadline (the Limiter's timeout). Rather than a
// timer per decision, one watchdog timer is armed for the earliest deadline
// of the decisions outstanding; when it fires it answers those past their
// deadline with an error and re-arms for the next. Under steady load it
// fires about once per timeout.
type batcher struct {
	client  rueidis.Client
	cluster bool

	mu       sync.Mutex
	queue    []*queued
	spare    []*queued // the previous batch's slice, reused
	inflight []*queued // the batch being sent
	sending  bool      // a goroutine is draining the queue
	watchdog *time.Timer
	watchAt  time.Time // when the watchdog fires; zero while it is stopped
}

// queued is one decision waiting in a batcher. Exactly one answer reaches
// its channel: the script's, the watchdog's or, when the caller gives up,
// none (answered is set by whoever answers first).
type queued struct {
	ctx      context.Context
	deadline time.Time // zero: only ctx bounds the wait
	key      string    // the full Redis key
	args     [3]string // limit, window µs, TTL ms
	answered atomic.Bool
	answer   chan batchAnswer
}

type batchAnswer struct {
	d   decision
	err error
}

// reply answers q unless it has been answered or abandoned.
func (q *queued) reply(a batchAnswer) {
	if q.answered.CompareAndSwap(false, true) {
		q.answer <- a
	}
}

// errBatchTimeout answers a decision still outstanding at its deadline.
var errBatchTimeout = fmt.Errorf("ratelimit: redis allow: %w", context.DeadlineExceeded)

func newBatcher(client rueidis.Client) *batcher {
	b := &batcher{client: client, cluster: client.Mode() == rueidis.ClientModeCluster}
	b.watchdog = time.AfterFunc(time.Hour, b.expire)
	b.watchdog.Stop()
	return b
}

// decide queues one decision and waits for its answer, for ctx to end or,
// when timeout is positive, for the timeout.
func (b *batcher) decide(ctx context.Context, key string, args [3]string, timeout time.Duration) (decision, error) {
	q := &queued{ctx: ctx, key: key, args: args, answer: make(chan batchAnswer, 1)}
	if timeout > 0 {
		q.deadline = time.Now().Add(timeout)
	}
	b.mu.Lock()
	b.queue = append(b.queue, q)
	if timeout > 0 && (b.watchAt.IsZero() || q.deadline.Before(b.watchAt)) {
		b.watchAt = q.deadline
		b.watchdog.Reset(timeout)
	}
	start := !b.sending
	b.sending = true
	b.mu.Unlock()
	if start {
		go b.drain()
	}
	select {
	case a := <-q.answer:
		return a.d, a.err
	case <-ctx.Done():
		if q.answered.CompareAndSwap(false, true) {
			return decision{}, fmt.Errorf("ratelimit: redis allow: %w", ctx.Err())
		}
		a := <-q.answer // being answered right now
		return a.d, a.err
	}
}

// expire is the watchdog: it answers the outstanding decisions past their
// deadline and re-arms for the earliest deadline left.
func (b *batcher) expire() {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	var next time.Time
	for _, list := range [2][]*queued{b.inflight, b.queue} {
		for _, q := range list {
			if q.deadline.IsZero() || q.answered.Load() {
				continue
			}
			if !now.Before(q.deadline) {
				q.reply(batchAnswer{err: errBatchTimeout})
			} else if next.IsZero() || q.deadline.Before(next) {
				next = q.deadline
			}
		}
	}
	b.watchAt = next
	if !next.IsZero() {
		b.watchdog.Reset(next.Sub(now))
	}
}

// drain sends batches until the queue is empty.
func (b *batcher) drain() {
	for {
		b.mu.Lock()
		batch := b.queue
		if len(batch) == 0 {
			b.sending = false
			b.mu.Unlock()
			return
		}
		if len(batch) > maxBatch {
			b.queue = append(b.spare[:0], batch[maxBatch:]...)
			batch = batch[:maxBatch]
		} else {
			b.queue = b.spare[:0]
		}
		b.inflight = batch
		b.mu.Unlock()

		b.send(batch)

		b.mu.Lock()
		b.inflight = nil
		clear(batch) // drop references to answered decisions
		b.spare = batch[:0]
		b.mu.Unlock()
	}
}

// send makes one script call per Cluster slot (one call in all on a single
// Redis) and answers every decision in batch. Decisions whose callers have
// already given up are left out.
func (b *batcher) send(batch []*queued) {
	live := batch[:0:0]
	for _, q := range batch {
		if q.ctx.Err() == nil && !q.answered.Load() {
			live = append(live, q)
		}
	}
	if len(live) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	if !b.cluster {
		b.call(ctx, live)
		return
	}
	groups := map[uint16][]*queued{}
	for _, q := range live {
		slot := keySlot(q.key)
		groups[slot] = append(groups[slot], q)
	}
	var wg sync.WaitGroup
	for _, g := range groups {
		wg.Go(func() { b.call(ctx, g) })
	}
	wg.Wait()
}

// call decides group (keys of one slot) with one script call. The group
// is sorted by key, keeping arrival order per key, so that the script reads
// and writes each key once.
func (b *batcher) call(ctx context.Context, group []*queued) {
	slices.SortStableFunc(group, func(x, y *queued) int { return strings.Compare(x.key, y.key) })
	keys := make([]string, len(group))
	args := make([][3]string, len(group))
	for i, q := range group {
		keys[i], args[i] = q.key, q.args
	}
	ds, err := runScript(ctx, b.client, keys, args)
	for i, q := range group {
		if err != nil {
			q.reply(batchAnswer{err: err})
		} else {
			q.reply(batchAnswer{d: ds[i]})
		}
	}
}

// runScript runs the decision script for keys, the i-th under the policy
// arguments args[i], and returns one decision per key. Consecutive keys
// under the same policy share its arguments (see ratelimit.lua). The script
// needs the decisions on a key together: keys out of order are sorted first
// (keeping the order of each key's decisions), and the decisions returned
// in the order asked.
func runScript(ctx context.Context, client rueidis.Client, keys []string, args [][3]string) ([]decision, error) {
	if !slices.IsSorted(keys) {
		order := make([]int, len(keys))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(i, j int) int { return strings.Compare(keys[i], keys[j]) })
		sortedKeys, sortedArgs := make([]string, len(keys)), make([][3]string, len(keys))
		for j, i := range order {
			sortedKeys[j], sortedArgs[j] = keys[i], args[i]
		}
		sorted, err := runScript(ctx, client, sortedKeys, sortedArgs)
		if err != nil {
			return nil, err
		}
		ds := make([]decision, len(keys))
		for j, i := range order {
			ds[i] = sorted[j]
		}
		return ds, nil
	}
	argv := make([]string, 0, 4)
	for i := 0; i < len(args); {
		j := i + 1
		for j < len(args) && args[j] == args[i] {
			j++
		}
		argv = append(argv, args[i][0], args[i][1], args[i][2], strconv.Itoa(j-i))
		i = j
	}
	vals, err := allowScript.Exec(ctx, client, keys, argv).ToArray()
	if err != nil {
		return nil, fmt.Errorf("ratelimit: redis allow: %w", err)
	}
	ds, err := parseDecisions(vals, len(keys))
	if err != nil {
		return nil, fmt.Errorf("ratelimit: redis allow: %w", err)
	}
	return ds, nil
}

// parseDecisions reads the script's reply for n keys: the clock, then per
// key a code and the reset's offset, and the time's offset when the code
// is negative.
func parseDecisions(vals []rueidis.RedisMessage, n int) ([]decision, error) {
	next := func() (int64, error) {
		if len(vals) == 0 {
			return 0, errShortReply
		}
		v, err := vals[0].AsInt64()
		vals = vals[1:]
		return v, err
	}
	clock, err := next()
	if err != nil {
		return nil, err
	}
	ds := make([]decision, n)
	for i := range ds {
		var code, reset, at int64
		if code, err = next(); err == nil {
			reset, err = next()
		}
		if err == nil && code < 0 {
			code = -code - 1
			at, err = next()
		}
		if err != nil {
			return nil, err
		}
		now := clock + at
		ds[i] = decision{allowed: code&1 == 1, remaining: int(code >> 1), reset: now + reset, now: now}
	}
	if len(vals) != 0 {
		return nil, fmt.Errorf("script returned %d values too many", len(vals))
	}
	return ds, nil
}

// errShortReply reports a script reply with fewer values than decisions.
var errShortReply = errors.New("script returned too few values")

// keySlot is the Redis Cluster hash slot of key: CRC16 (XMODEM) of its hash
// tag, or of the whole key without one, modulo 16384.
func keySlot(key string) uint16 {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			key = key[i+1 : i+1+j]
		}
	}
	var crc uint16
	for k := 0; k < len(key); k++ {
		crc ^= uint16(key[k]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc % 16384
}
