package cache

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Sentinel errors returned by stores and by Typed.
var (
	// ErrNotFound reports that a key has no value (never set, expired or
	// deleted).
	ErrNotFound = errors.New("cache: not found")
	// ErrInvalidKey reports an empty key, tag or prefix where one is required.
	ErrInvalidKey = errors.New("cache: invalid key")
	// ErrInvalidTTL reports a TTL that is not positive: every cached value
	// expires.
	ErrInvalidTTL = errors.New("cache: TTL must be positive")
)

// Store is a byte-value cache with expiry and bulk invalidation. It is the
// contract every backend (MemoryStore, RedisStore) implements and that the
// cachetest suite checks. All methods are safe for concurrent use.
//
// A write through a Store is visible to that Store's later reads at once;
// other processes sharing the backend see it once the backend has told
// them (see "Reads and invalidation" in the package documentation).
type Store interface {
	// Get returns a copy of the value stored under key, or ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	// Set stores value under key for ttl (which must be positive) and adds
	// key to each of the tags, replacing any previous value. Earlier tags
	// of the key are not removed: a tag may over-invalidate, never under.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration, tags ...string) error
	// Delete removes the keys. Missing keys are not an error.
	Delete(ctx context.Context, keys ...string) error
	// DeleteTag removes every key that was stored with any of the tags,
	// and the tags themselves. Its cost is proportional to the number of
	// keys tagged.
	DeleteTag(ctx context.Context, tags ...string) error
	// DeletePrefix removes every key that starts with prefix (taken
	// literally; it is not a pattern). It may cost a scan of the backend's
	// whole keyspace: prefer tags on hot paths.
	DeletePrefix(ctx context.Context, prefix string) error

	// Claim prepares a load of key. It reads key from the shared backend
	// itself (past any process-local copy) and returns its value when it
	// has one. Otherwise it returns an error matching ErrNotFound and a
	// claim: a token, unique among all claims the backend ever hands out,
	// that Claim leaves in key's place for at least ttl. While the claim
	// is there, every Claim of key returns the same one (and keeps it for
	// at least its own ttl), so concurrent loaders of key share it. Set,
	// Delete, DeleteTag, DeletePrefix and expiry all remove it.
	Claim(ctx context.Context, key string, ttl time.Duration) (value []byte, claim string, err error)
	// SetClaimed stores value under key for ttl, like Set without tags,
	// but only while key still holds claim, atomically with that check.
	// It reports whether it stored the value. A load that started with
	// Claim and ends with SetClaimed therefore never stores its result
	// over a Set, Delete, DeleteTag or DeletePrefix of key that happened
	// after the Claim, in any process sharing the backend.
	SetClaimed(ctx context.Context, key, claim string, value []byte, ttl time.Duration) (stored bool, err error)
}

// stringGetter is implemented by the stores of this package: it returns the
// cached value without copying it, for callers that only read it.
type stringGetter interface {
	getString(ctx context.Context, key string) (string, error)
}

func checkSet(key string, ttl time.Duration, tags []string) error {
	if key == "" {
		return ErrInvalidKey
	}
	if ttl <= 0 {
		return ErrInvalidTTL
	}
	for _, tag := range tags {
		if tag == "" {
			return ErrInvalidKey
		}
	}
	return nil
}

func checkKeys(keys []string) error {
	for _, k := range keys {
		if k == "" {
			return ErrInvalidKey
		}
	}
	return nil
}

// errNotFound is the error of every read that finds no value. It is
// allocated once, so that a miss costs no allocation.
var errNotFound = opErr("get", ErrNotFound)

// opError is an error of one store operation. Its text names the package
// once: "cache: get: not found", not "cache: get: cache: not found".
type opError struct {
	op  string
	err error
}

func opErr(op string, err error) error { return &opError{op: op, err: err} }

func (e *opError) Error() string {
	return "cache: " + e.op + ": " + strings.TrimPrefix(e.err.Error(), "cache: ")
}

func (e *opError) Unwrap() error { return e.err }
