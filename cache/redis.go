package cache

import (
	"context"
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
	// Timeout bounds each operation whose context has no earlier deadline
	// (rueidis otherwise retries reads until the context ends, so a request
	// would hang while Redis is down). Default 500 milliseconds.
	Timeout time.Duration
	// Cooldown is how long the store fails fast with ErrUnavailable after
	// a connection failure or timeout, before trying Redis again.
	// Default 1 second.
	Cooldown time.Duration
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
// A value key holds either a value, stored after a one-byte mark, or a
// load's claim (see Store.Claim); Claim and SetClaimed are Lua scripts on
// that one key, so the check and the write are atomic in every process.
//
// Every command touches one key, so the store works on a Cluster without
// hash tags: a tag set and its members may live in different slots, and bulk
// deletes remove keys one by one (pipelined).
type RedisStore struct {
	client    rueidis.Client
	prefix    string
	valuePfx  string
	clientTTL time.Duration
	timeout   time.Duration
	breaker   breaker
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
	if opts.Timeout <= 0 {
		opts.Timeout = 500 * time.Millisecond
	}
	if opts.Cooldown <= 0 {
		opts.Cooldown = time.Second
	}
	return &RedisStore{
		client:    client,
		prefix:    opts.Prefix,
		valuePfx:  opts.Prefix + "v:",
		clientTTL: opts.ClientTTL,
		timeout:   opts.Timeout,
		breaker:   breaker{cooldown: opts.Cooldown},
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
	if err := s.breaker.check(); err != nil {
		return "", opErr("get", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	r := s.read(ctx, s.valuePfx+key)
	s.breaker.observe(r.Error())
	return valueOf(r)
}

// read gets the Redis key k through the client-side cache, unless a write
// of k by this store may not have reached the cache yet.
func (s *RedisStore) read(ctx context.Context, k string) rueidis.RedisResult {
	w := s.pending.lookup(k)
	if w == nil {
		return s.client.DoCache(ctx, s.client.B().Get().Key(k).Cache(), s.clientTTL)
	}
	written := w.finished()
	r := s.client.DoCache(ctx, s.client.B().Get().Key(k).Cache(), s.clientTTL)
	if err := r.Error(); !r.IsCacheHit() && (err == nil || rueidis.IsRedisNil(err)) {
		// Fetched from Redis after our write completed: from now on the
		// client-side cache tracks this key correctly.
		if written {
			s.pending.forget(k, w)
		}
		return r
	}
	if r.NonRedisError() != nil {
		return r
	}
	// The cached copy may predate our own write (Redis sends the
	// invalidation after the write's reply): ask Redis itself.
	fresh := s.client.Do(ctx, s.client.B().Get().Key(k).Build())
	if written && sameValue(r, fresh) {
		// The cached copy already agrees with Redis after our write; if
		// it is older, its invalidation is on the way. Trust it again.
		s.pending.forget(k, w)
	}
	return fresh
}

// sameValue reports whether two GET replies carry the same value (or are
// both nil).
func sameValue(a, b rueidis.RedisResult) bool {
	av, aerr := a.ToString()
	bv, berr := b.ToString()
	if aerr == nil && berr == nil {
		return av == bv
	}
	return rueidis.IsRedisNil(aerr) && rueidis.IsRedisNil(berr)
}

// valueOf returns the value a GET reply carries: a load's claim, or
// anything stored without valueMark, reads as missing.
func valueOf(r rueidis.RedisResult) (string, error) {
	v, err := r.ToString()
	switch {
	case err == nil && len(v) > 0 && v[0] == valueMark:
		return v[1:], nil
	case err == nil || rueidis.IsRedisNil(err):
		return "", errNotFound
	}
	return "", opErr("get", err)
}

// Set stores value under key for ttl and adds key to each tag's set. The
// tag sets are written first, so a value is never stored untagged.
func (s *RedisStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration, tags ...string) error {
	if err := checkSet(key, ttl, tags); err != nil {
		return opErr("set", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	k := s.valuePfx + key
	return s.breaker.guard("set", func() error {
		if len(tags) > 0 {
			if err := s.tag(ctx, k, ttl, tags); err != nil {
				return err
			}
		}
		w := s.pending.begin(k)
		defer s.pending.finish(w)
		c := s.client
		return c.Do(ctx, c.B().Set().Key(k).Value(marked(value)).Px(ttl).Build()).Error()
	})
}

// Delete removes the keys, one DEL per key in one pipeline.
func (s *RedisStore) Delete(ctx context.Context, keys ...string) error {
	if err := checkKeys(keys); err != nil {
		return opErr("delete", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = s.valuePfx + k
	}
	return s.breaker.guard("delete", func() error { return s.del(ctx, full) })
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
