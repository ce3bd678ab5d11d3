package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
	"unsafe"

	"golang.org/x/sync/singleflight"
)

// TypedOptions configures a Typed cache. The zero value works.
type TypedOptions struct {
	// Name identifies the cache in logs. Default "cache".
	Name string
	// TTL is how long values written by Set and GetOrLoad live. Default
	// 5 minutes.
	TTL time.Duration
	// Codec encodes values. Default JSON.
	Codec Codec
	// NotFound is the error a loader returns when the value does not exist
	// (matched with errors.Is), and the error Get and GetOrLoad return for
	// a cached absence. Default ErrNotFound.
	NotFound error
	// NegativeTTL, when positive, caches a loader's NotFound answer for
	// that long, so repeated lookups of something missing do not reach the
	// source. Other loader errors are never cached. Default 0 (off).
	NegativeTTL time.Duration
	// LockTTL, when positive and the store supports it (RedisStore), makes
	// a cold key load once across all processes: the first process takes
	// a lock for at most LockTTL while it loads, the others wait for its
	// value (up to LockTTL) before loading themselves. The lock belongs to
	// the load's claim (see Store.Claim), so a load that starts after an
	// invalidation never waits for one that started before it. Default 0
	// (off: one load per key per process).
	LockTTL time.Duration
	// LoadTimeout bounds a shared load. Loads run detached from the
	// callers' contexts (keeping their values) so that one caller leaving
	// does not fail the others. A load's claim on its key (Store.Claim)
	// lives a little longer than this, so a load that takes longer may
	// not store its result. Default 10 seconds.
	LoadTimeout time.Duration
	// ShareDecoded keeps the last decoded value of hot keys in process (a
	// direct-mapped table of 4,096 entries, 32 KB of pointers, so a few
	// hundred hot keys rarely collide) and returns it again (a shallow
	// copy) while the cached bytes are unchanged, so a warm read skips
	// decoding entirely.
	// Enable it only if callers never modify what a returned T points to
	// (slices, maps, pointers); strings, numbers and time.Time are safe.
	// Default false.
	ShareDecoded bool
	// OnEvent, when non-nil, is called for every hit, miss, load, load
	// error and backend error. It must be fast and safe for concurrent use.
	OnEvent func(Event)
	// Logger receives backend errors (never keys or values). Default
	// slog.Default().
	Logger *slog.Logger
}

// Typed is a cache of values of type T on a Store, with cache-aside loading.
// Values returned to concurrent callers of one load are shallow copies of
// one value: treat what T points to as read-only.
type Typed[T any] struct {
	store Store
	fast  stringGetter // the store's copy-free read, when it has one
	lock  locker       // the store's cross-process lock, when it has one
	memo  *decodedMemo[T]
	opts  TypedOptions
	group singleflight.Group // loads in progress, by claim and key
}

// NewTyped returns a Typed cache of T values on store.
func NewTyped[T any](store Store, opts TypedOptions) *Typed[T] {
	if opts.Name == "" {
		opts.Name = "cache"
	}
	if opts.TTL <= 0 {
		opts.TTL = 5 * time.Minute
	}
	if opts.Codec == nil {
		opts.Codec = JSON
	}
	if opts.NotFound == nil {
		opts.NotFound = ErrNotFound
	}
	if opts.LoadTimeout <= 0 {
		opts.LoadTimeout = 10 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	c := &Typed[T]{store: store, opts: opts}
	c.fast, _ = store.(stringGetter)
	if opts.ShareDecoded && c.fast != nil {
		c.memo = newDecodedMemo[T]()
	}
	if opts.LockTTL > 0 {
		c.lock, _ = store.(locker)
	}
	return c
}

// errAbsent reports a cached absence from read.
var errAbsent = errors.New("cache: cached absence")

// Get returns the value under key. It returns an error matching
// ErrNotFound when there is none, and TypedOptions.NotFound when an absence
// is cached.
func (c *Typed[T]) Get(ctx context.Context, key string) (T, error) {
	v, err := c.read(ctx, key)
	if errors.Is(err, errAbsent) {
		return v, c.opts.NotFound
	}
	return v, err
}

// read returns key's decoded value, or reports ErrNotFound, errAbsent, a
// backend or a decoding error (with the zero T).
func (c *Typed[T]) read(ctx context.Context, key string) (T, error) {
	var zero T
	if c.fast == nil {
		b, err := c.store.Get(ctx, key)
		if err != nil {
			return zero, err
		}
		return c.decode(b)
	}
	s, err := c.fast.getString(ctx, key)
	switch {
	case err != nil:
		return zero, err
	case s == "":
		return zero, errAbsent
	case c.memo == nil:
		// A read-only view of the cached string: the Codec contract
		// forbids modifying or keeping it.
		return c.decode(unsafe.Slice(unsafe.StringData(s), len(s)))
	}
	if v, ok := c.memo.get(key, s); ok {
		return v, nil
	}
	v, err := c.decode(unsafe.Slice(unsafe.StringData(s), len(s)))
	if err == nil {
		c.memo.put(key, s, v)
	}
	return v, err
}

// decode turns stored bytes into a T; empty bytes are a cached absence.
func (c *Typed[T]) decode(data []byte) (T, error) {
	var v T
	if len(data) == 0 {
		return v, errAbsent
	}
	if err := c.opts.Codec.Unmarshal(data, &v); err != nil {
		var zero T
		return zero, fmt.Errorf("cache: decode %s value: %w", c.opts.Name, err)
	}
	return v, nil
}

// Set stores v under key for TypedOptions.TTL, adding key to the tags.
// A load of key in progress in any process will not store its result over
// v.
func (c *Typed[T]) Set(ctx context.Context, key string, v T, tags ...string) error {
	data, err := c.encode(v)
	if err != nil {
		return err
	}
	return c.store.Set(ctx, key, data, c.opts.TTL, tags...)
}

// encode turns v into the bytes to store.
func (c *Typed[T]) encode(v T) ([]byte, error) {
	data, err := c.opts.Codec.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("cache: encode %s value: %w", c.opts.Name, err)
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("cache: encode %s value: codec returned no bytes", c.opts.Name)
	}
	return data, nil
}

// Delete removes the keys, so that the next GetOrLoad loads them again.
// A load of one of them in progress in any process will not store its
// result, and a GetOrLoad that starts after Delete returned does not share
// it.
func (c *Typed[T]) Delete(ctx context.Context, keys ...string) error {
	return c.store.Delete(ctx, keys...)
}

func (c *Typed[T]) event(e Event) {
	if c.opts.OnEvent != nil {
		c.opts.OnEvent(e)
	}
}

// backendError logs and counts a store failure that the caller survives.
func (c *Typed[T]) backendError(ctx context.Context, op string, err error) {
	c.event(EventBackendError)
	c.opts.Logger.WarnContext(ctx, "cache backend error; serving from the loader",
		"cache", c.opts.Name, "op", op, "err", err.Error())
}
