package ratelimit

import (
	"context"
	"fmt"
	"strings"
	"sync"
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
type batcher struct {
	client  rueidis.Client
	cluster bool

	mu      sync.Mutex
	queue   []*queued
	spare   []*queued // the previous batch's slice, reused
	sending bool      // a goroutine is draining the queue
}

// queued is one decision waiting in a batcher.
type queued struct {
	ctx    context.Context
	key    string    // the full Redis key
	args   [3]string // limit, window µs, TTL ms
	answer chan batchAnswer
}

type batchAnswer struct {
	d   decision
	err error
}

func newBatcher(client rueidis.Client) *batcher {
	return &batcher{client: client, cluster: client.Mode() == rueidis.ClientModeCluster}
}

// decide queues one decision and waits for its answer or for ctx to end.
func (b *batcher) decide(ctx context.Context, key string, args [3]string) (decision, error) {
	q := &queued{ctx: ctx, key: key, args: args, answer: make(chan batchAnswer, 1)}
	b.mu.Lock()
	b.queue = append(b.queue, q)
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
		select {
		case a := <-q.answer: // answered while this goroutine waited for a CPU
			return a.d, a.err
		default:
			return decision{}, fmt.Errorf("ratelimit: redis allow: %w", ctx.Err())
		}
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
		b.mu.Unlock()

		b.send(batch)

		clear(batch) // drop references to answered decisions
		b.mu.Lock()
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
		if q.ctx.Err() == nil {
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

// call decides group (keys of one slot) with one script call.
func (b *batcher) call(ctx context.Context, group []*queued) {
	keys := make([]string, len(group))
	args := make([]string, 0, 3*len(group))
	for i, q := range group {
		keys[i] = q.key
		args = append(args, q.args[:]...)
	}
	ds, err := runScript(ctx, b.client, keys, args)
	for i, q := range group {
		if err != nil {
			q.answer <- batchAnswer{err: err}
		} else {
			q.answer <- batchAnswer{d: ds[i]}
		}
	}
}

// runScript runs the decision script for keys (with three arguments each)
// and returns one decision per key.
func runScript(ctx context.Context, client rueidis.Client, keys, args []string) ([]decision, error) {
	vals, err := allowScript.Exec(ctx, client, keys, args).ToArray()
	if err != nil {
		return nil, fmt.Errorf("ratelimit: redis allow: %w", err)
	}
	if len(vals) != 4*len(keys) {
		return nil, fmt.Errorf("ratelimit: redis allow: script returned %d values, want %d", len(vals), 4*len(keys))
	}
	ds := make([]decision, len(keys))
	var nums [4]int64
	for i := range ds {
		for j := range nums {
			if nums[j], err = vals[4*i+j].AsInt64(); err != nil {
				return nil, fmt.Errorf("ratelimit: redis allow: %w", err)
			}
		}
		ds[i] = decision{allowed: nums[0] == 1, remaining: int(nums[1]), reset: nums[2], now: nums[3]}
	}
	return ds, nil
}

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
