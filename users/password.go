package users

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/groundwork-go/groundwork/tracehook"
)

// MaxPasswordBytes is the longest password, in bytes, that is ever hashed.
// Registration also limits passwords to 128 characters; this byte bound
// guards every hashing path against denial of service.
const MaxPasswordBytes = 1024

// Params are argon2id cost parameters. A zero field takes its default.
type Params struct {
	// Memory is the memory cost in KiB. Default 19456 (19 MiB), the OWASP
	// Password Storage Cheat Sheet's first argon2id recommendation.
	Memory uint32
	// Iterations is the time cost (passes over memory). Default 2.
	Iterations uint32
	// Parallelism is the number of lanes. Default 1.
	Parallelism uint8
	// SaltLength is the random salt size in bytes. Default 16.
	SaltLength uint32
	// KeyLength is the derived hash size in bytes. Default 32.
	KeyLength uint32
}

// DefaultParams returns the parameters used when none are configured:
// m=19456 KiB, t=2, p=1, a 16-byte salt and a 32-byte hash.
func DefaultParams() Params {
	return Params{Memory: 19456, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}
}

func (p Params) withDefaults() Params {
	d := DefaultParams()
	if p.Memory == 0 {
		p.Memory = d.Memory
	}
	if p.Iterations == 0 {
		p.Iterations = d.Iterations
	}
	if p.Parallelism == 0 {
		p.Parallelism = d.Parallelism
	}
	if p.SaltLength == 0 {
		p.SaltLength = d.SaltLength
	}
	if p.KeyLength == 0 {
		p.KeyLength = d.KeyLength
	}
	return p
}

// weakerThan reports whether hashes made with p should be replaced by hashes
// made with cur: less memory, fewer passes, or a shorter salt or hash.
// Parallelism alone does not make a hash weaker.
func (p Params) weakerThan(cur Params) bool {
	return p.Memory < cur.Memory || p.Iterations < cur.Iterations ||
		p.SaltLength < cur.SaltLength || p.KeyLength < cur.KeyLength
}

// HasherOptions configure a Hasher. The zero value is ready to use.
type HasherOptions struct {
	// Params are the parameters of new hashes; zero fields take the
	// DefaultParams values.
	Params Params
	// MaxConcurrent bounds how many hash computations run at once (each
	// holds Params.Memory KiB); callers beyond it wait (in the order they
	// began waiting, as Go channels serve them). Default runtime.GOMAXPROCS(0).
	MaxConcurrent int
	// MaxWait bounds how long a caller waits for a free slot. A caller
	// still waiting after it gets an error matching ErrBusy (answer 503
	// with Retry-After) and its hash is never computed, so a flood of
	// logins cannot queue work without bound or stall every caller behind
	// it. A caller whose context ends while waiting is dropped too.
	// Default DefaultMaxWait; negative means no bound.
	MaxWait time.Duration
	// Trace, when set, reports each hash computation as a span named
	// "argon2id.hash" (Hash) or "argon2id.verify" (Verify and VerifyDummy
	// alike), covering the wait for a slot and the computation, with the
	// memory and time cost as attributes; a caller that had to wait for a
	// slot gets a child span "argon2id.wait" covering the wait. ErrBusy and
	// a context's end are the spans' errors. Default: nil, no spans.
	Trace tracehook.Start
}

// DefaultMaxWait is the default HasherOptions.MaxWait.
const DefaultMaxWait = 1500 * time.Millisecond

// Hasher hashes and verifies passwords with argon2id in the PHC string
// format. It is safe for concurrent use.
type Hasher struct {
	params  Params
	sem     chan struct{}
	maxWait time.Duration // <= 0: unbounded
	trace   tracehook.Start

	waiting atomic.Int64 // callers waiting for a slot, for tests

	derivations atomic.Int64 // argon2 computations run, for tests

	dummyOnce sync.Once
	dummy     string
}

// NewHasher returns a Hasher with the given options.
func NewHasher(opts HasherOptions) *Hasher {
	n := opts.MaxConcurrent
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	wait := opts.MaxWait
	if wait == 0 {
		wait = DefaultMaxWait
	}
	return &Hasher{params: opts.Params.withDefaults(), sem: make(chan struct{}, n), maxWait: wait, trace: opts.Trace}
}

// Params returns the parameters of new hashes.
func (h *Hasher) Params() Params { return h.params }

// Hash returns the PHC string of password with a fresh random salt.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if len(password) > MaxPasswordBytes {
		return "", fmt.Errorf("users: hash password: %w", ErrPasswordTooLong)
	}
	salt := make([]byte, h.params.SaltLength)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("users: hash password: salt: %w", err)
	}
	key, err := h.derive(ctx, "argon2id.hash", password, salt, h.params)
	if err != nil {
		return "", fmt.Errorf("users: hash password: %w", err)
	}
	return encodePHC(h.params, salt, key), nil
}

// Verify reports whether password matches the PHC string encoded, which may
// carry any argon2id parameters within sane bounds. needsRehash is true
// when the password matches and encoded's parameters are weaker than the
// Hasher's. The comparison is constant-time. A malformed or unsupported
// hash yields an error wrapping ErrUnsupportedHash.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (match, needsRehash bool, err error) {
	if len(password) > MaxPasswordBytes {
		return false, false, fmt.Errorf("users: verify password: %w", ErrPasswordTooLong)
	}
	ph, err := parsePHC(encoded)
	if err != nil {
		return false, false, fmt.Errorf("users: verify password: %w", err)
	}
	key, err := h.derive(ctx, "argon2id.verify", password, ph.salt, ph.params)
	if err != nil {
		return false, false, fmt.Errorf("users: verify password: %w", err)
	}
	match = subtle.ConstantTimeCompare(key, ph.key) == 1
	return match, match && ph.params.weakerThan(h.params), nil
}

// VerifyDummy does the work of verifying password against a hash made with
// the current parameters and discards the result, so that a login for an
// unknown user takes as long as one for a known user. Its error is that of
// Verify: ErrBusy or the context's error when no slot was free in time.
func (h *Hasher) VerifyDummy(ctx context.Context, password string) error {
	h.dummyOnce.Do(func() {
		// Random salt and key: nothing needs to match, and making the
		// dummy costs no hashing, so it cannot fail or slow one caller.
		salt, key := make([]byte, h.params.SaltLength), make([]byte, h.params.KeyLength)
		rand.Read(salt)
		rand.Read(key)
		h.dummy = encodePHC(h.params, salt, key)
	})
	if len(password) > MaxPasswordBytes {
		password = password[:MaxPasswordBytes]
	}
	_, _, err := h.Verify(ctx, h.dummy, password)
	return err
}

// derive runs argon2id once a concurrency slot is free. It gives up with
// ErrBusy after maxWait, and with the context's error when the caller is
// gone; either way no hashing is done for it. The span, when tracing, is
// named span.
func (h *Hasher) derive(ctx context.Context, span, password string, salt []byte, p Params) (key []byte, err error) {
	if h.trace != nil {
		var end tracehook.End
		ctx, end = h.trace(ctx, span, tracehook.Int("groundwork.argon2.memory_kib", int64(p.Memory)),
			tracehook.Int("groundwork.argon2.iterations", int64(p.Iterations)))
		defer func() { end(err) }()
	}
	if err := h.acquire(ctx); err != nil {
		return nil, err
	}
	defer func() { <-h.sem }()
	h.derivations.Add(1)
	return argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLength), nil
}

// acquire takes a slot, waiting at most maxWait and no longer than ctx.
func (h *Hasher) acquire(ctx context.Context) (err error) {
	select {
	case h.sem <- struct{}{}:
		return h.stillWanted(ctx)
	default:
	}
	if h.trace != nil {
		var end tracehook.End
		_, end = h.trace(ctx, "argon2id.wait")
		defer func() { end(err) }()
	}
	var expired <-chan time.Time
	if h.maxWait > 0 {
		t := time.NewTimer(h.maxWait)
		defer t.Stop()
		expired = t.C
	}
	h.waiting.Add(1)
	defer h.waiting.Add(-1)
	select {
	case h.sem <- struct{}{}:
		return h.stillWanted(ctx)
	case <-ctx.Done():
		return ctx.Err()
	case <-expired:
		return &busyError{retryAfter: h.maxWait}
	}
}

// stillWanted releases a slot just taken if the caller's context has ended
// meanwhile (select picks at random among ready cases), so that no work is
// done for a request that is gone.
func (h *Hasher) stillWanted(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		<-h.sem
		return err
	}
	return nil
}

// busyError is the error of a caller that waited too long for a slot. It
// matches ErrBusy and tells how long to wait before trying again.
type busyError struct{ retryAfter time.Duration }

func (e *busyError) Error() string {
	return fmt.Sprintf("%v: no hashing slot within %v", ErrBusy, e.retryAfter)
}

func (e *busyError) Is(target error) bool { return target == ErrBusy }

// RetryAfter is how long the client should wait before trying again, in
// whole seconds, at least one: the time a caller may wait for a slot.
func (e *busyError) RetryAfter() time.Duration {
	return max(time.Second, e.retryAfter.Round(time.Second))
}
