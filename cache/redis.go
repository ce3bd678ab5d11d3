package cache

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/rueidis"
)

// RedisOptions configures a RedisStore. The zero value works.
type RedisOptions struct {
	// Prefix starts every Redis key the store uses. Values live under
	// Prefix+"v:"+key, tag sets under Prefix+"t:"+tag and load locks under
	// Prefix+"l:"+key. Default "cache:".
	Prefix string
	// ClientTTL bounds how long a value stays in the process's client-side
	// cache without being read from Redis again. Redis invalidates cached
	// copies on every write, so this only limits staleness if an
	// invalidation is ever lost; it never extends a value's own TTL.
	// Default 1 minute.
	ClientTTL time.Duration
}

// RedisStore is a Store on Redis (standalone, Sentinel or Cluster) using the
// application's shared rueidis client.
//
// Reads use server-assisted client-side caching (rueidis DoCache): a hot key
// is answered from process memory and Redis invalidates every process's copy
// when the key is written. With a client built with DisableCache every read
// is a plain round trip. Writes and deletes made through this store are
// remembered until the client-side cache is known to have caught up, so this
// store's own reads never see the value it replaced.
//
// Every command touches one key, so the store works on a Cluster without
// hash tags: a tag set and its members may live in different slots, and bulk
// deletes remove keys one by one (pipelined).
type RedisStore struct {
	client    rueidis.Client
	prefix    string
	valuePfx  string
	clientTTL time.Duration
	pending   *pendingWrites
}

var _ Store = (*RedisStore)(nil)

// NewRedisStore returns a store using client, which the caller keeps
// owning (and closes).
func NewRedisStore(client rueidis.Client, opts RedisOptions) *RedisStore {
	if opts.Prefix == "" {
		opts.Prefix = "cache:"
	}
	if opts.ClientTTL <= 0 {
		opts.ClientTTL = time.Minute
	}
	return &RedisStore{
		client:    client,
		prefix:    opts.Prefix,
		valuePfx:  opts.Prefix + "v:",
		clientTTL: opts.ClientTTL,
		pending:   newPendingWrites(opts.ClientTTL),
	}
}

// Get returns a copy of the value under key, or ErrNotFound.
func (s *RedisStore) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := s.getString(ctx, key)
	if err != nil {
		return nil, err
	}
	return []byte(v), nil
}

func (s *RedisStore) getString(ctx context.Context, key string) (string, error) {
	k := s.valuePfx + key
	w := s.pending.lookup(k)
	if w == nil {
		return valueOf(s.client.DoCache(ctx, s.client.B().Get().Key(k).Cache(), s.clientTTL))
	}
	written := w.finished()
	r := s.client.DoCache(ctx, s.client.B().Get().Key(k).Cache(), s.clientTTL)
	if r.Error() == nil && !r.IsCacheHit() {
		// Fetched from Redis after our write completed: from now on the
		// client-side cache tracks this key correctly.
		if written {
			s.pending.forget(k, w)
		}
		return valueOf(r)
	}
	// The cached copy may predate our own write (Redis sends the
	// invalidation after the write's reply): ask Redis itself.
	return valueOf(s.client.Do(ctx, s.client.B().Get().Key(k).Build()))
}

func valueOf(r rueidis.RedisResult) (string, error) {
	v, err := r.ToString()
	if err == nil {
		return v, nil
	}
	if rueidis.IsRedisNil(err) {
		return "", fmt.Errorf("cache: get: %w", ErrNotFound)
	}
	return "", fmt.Errorf("cache: get: %w", err)
}

// Set stores value under key for ttl and adds key to each tag's set. The
// tag sets are written first, so a value is never stored untagged.
func (s *RedisStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration, tags ...string) error {
	if err := checkSet(key, ttl, tags); err != nil {
		return fmt.Errorf("cache: set: %w", err)
	}
	k := s.valuePfx + key
	if len(tags) > 0 {
		if err := s.tag(ctx, k, ttl, tags); err != nil {
			return fmt.Errorf("cache: set: %w", err)
		}
	}
	w := s.pending.begin(k)
	defer s.pending.finish(w)
	c := s.client
	err := c.Do(ctx, c.B().Set().Key(k).Value(rueidis.BinaryString(value)).Px(ttl).Build()).Error()
	if err != nil {
		return fmt.Errorf("cache: set: %w", err)
	}
	return nil
}

// Delete removes the keys, one DEL per key in one pipeline.
func (s *RedisStore) Delete(ctx context.Context, keys ...string) error {
	if err := checkKeys(keys); err != nil {
		return fmt.Errorf("cache: delete: %w", err)
	}
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = s.valuePfx + k
	}
	if err := s.del(ctx, full); err != nil {
		return fmt.Errorf("cache: delete: %w", err)
	}
	return nil
}

// del removes full Redis keys, each with its own command so that keys in
// different Cluster slots never share one.
func (s *RedisStore) del(ctx context.Context, full []string) error {
	if len(full) == 0 {
		return nil
	}
	ws := make([]*pendingWrite, len(full))
	cmds := make(rueidis.Commands, len(full))
	for i, k := range full {
		ws[i] = s.pending.begin(k)
		cmds[i] = s.client.B().Del().Key(k).Build()
	}
	defer func() {
		for _, w := range ws {
			s.pending.finish(w)
		}
	}()
	for _, r := range s.client.DoMulti(ctx, cmds...) {
		if err := r.Error(); err != nil {
			return err
		}
	}
	return nil
}

func millis(d time.Duration) string {
	ms := d.Milliseconds()
	if ms < 1 {
		ms = 1
	}
	return strconv.FormatInt(ms, 10)
}
