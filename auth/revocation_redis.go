package auth

import (
	"context"
	_ "embed"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/rueidis"

	"github.com/groundwork-go/groundwork/tracehook"
)

//go:embed raise_epoch.lua
var raiseEpochLua string

// RedisRevocationOptions configures RedisRevocations. The zero value works.
type RedisRevocationOptions struct {
	// Prefix starts every key. Default "auth:". Keys are
	// "<prefix>{<subject>}:sid:<session id>" and "<prefix>{<subject>}:epoch";
	// the hash tag keeps a subject's keys in one Cluster slot.
	Prefix string
	// CacheTTL bounds how long a check result is kept in process memory by
	// rueidis client-side caching; Redis invalidates it sooner when the key
	// changes. Default 5 minutes.
	CacheTTL time.Duration
	// Strict makes every check ask Redis (no client-side caching).
	// Default false.
	Strict bool
	// LocalGrace is how long this process remembers its own revocations
	// locally, covering the moment between Redis acknowledging a write and
	// its invalidation message arriving. Default 30 seconds.
	LocalGrace time.Duration
	// Trace, when set, reports every check that reaches this store (one
	// this process revoked itself is answered before) as a span named
	// "auth.revocation_check", with "groundwork.auth.cached" telling
	// whether client-side caching answered it without a round trip and
	// "groundwork.auth.revoked" its result; a failed check is the span's
	// error. Subjects and session IDs are not reported. Default: nil, no
	// spans (and no cost on the cached path).
	Trace tracehook.Start
}

// RedisRevocations is a RevocationStore on Redis (6.0 or newer; the
// commands it sends exist since 2.6, and client-side caching needs RESP3,
// which came with 6.0). Every entry is a key with a relative expiry, so
// Redis's clock alone decides when it goes.
//
// Checks use rueidis server-assisted client-side caching: a session checked
// recently is answered from process memory with no round trip, and Redis
// invalidates that memory when the session ends or the subject's epoch
// rises, in any process. A process sees its own writes at once (they are
// also recorded locally); another process sharing the Redis sees them when
// the invalidation message arrives. Without client tracking (DisableCache)
// or with Strict, every check is one round trip.
type RedisRevocations struct {
	client rueidis.Client
	opts   RedisRevocationOptions
	script *rueidis.Lua
	own    *MemoryRevocations
}

var _ RevocationStore = (*RedisRevocations)(nil)

// NewRedisRevocations returns a store on the application's shared client.
func NewRedisRevocations(client rueidis.Client, opts RedisRevocationOptions) *RedisRevocations {
	if opts.Prefix == "" {
		opts.Prefix = "auth:"
	}
	if opts.CacheTTL <= 0 {
		opts.CacheTTL = 5 * time.Minute
	}
	if opts.LocalGrace <= 0 {
		opts.LocalGrace = 30 * time.Second
	}
	return &RedisRevocations{
		client: client,
		opts:   opts,
		script: rueidis.NewLuaScript(raiseEpochLua),
		own:    NewMemoryRevocations(MemoryRevocationOptions{}),
	}
}

func (s *RedisRevocations) sessionKey(subject, sessionID string) string {
	return s.opts.Prefix + "{" + subject + "}:sid:" + sessionID
}

func (s *RedisRevocations) epochKey(subject string) string {
	return s.opts.Prefix + "{" + subject + "}:epoch"
}

// RevokeSession implements RevocationStore with one SET … PX.
func (s *RedisRevocations) RevokeSession(ctx context.Context, subject, sessionID string, keep time.Duration) error {
	s.own.RevokeSession(ctx, subject, sessionID, min(keep, s.opts.LocalGrace))
	cmd := s.client.B().Set().Key(s.sessionKey(subject, sessionID)).Value("1").
		PxMilliseconds(keepMillis(keep)).Build()
	if err := s.client.Do(ctx, cmd).Error(); err != nil {
		return fmt.Errorf("auth: revoke session: %w", err)
	}
	return nil
}

// RaiseEpoch implements RevocationStore with a script that never lowers the
// epoch.
func (s *RedisRevocations) RaiseEpoch(ctx context.Context, subject string, epoch int64, keep time.Duration) error {
	s.own.RaiseEpoch(ctx, subject, epoch, min(keep, s.opts.LocalGrace))
	resp := s.script.Exec(ctx, s.client, []string{s.epochKey(subject)},
		[]string{strconv.FormatInt(epoch, 10), strconv.FormatInt(keepMillis(keep), 10)})
	if err := resp.Error(); err != nil {
		return fmt.Errorf("auth: raise credential epoch: %w", err)
	}
	return nil
}

// IsRevoked implements RevocationStore: a cached read of the session key
// and of the subject's epoch key. In Strict mode both go to Redis in one
// round trip; otherwise each is a client-side cache lookup.
func (s *RedisRevocations) IsRevoked(ctx context.Context, subject, sessionID string, epoch int64) (revoked bool, err error) {
	if revoked, _ := s.own.IsRevoked(ctx, subject, sessionID, epoch); revoked {
		return true, nil
	}
	if s.opts.Trace != nil {
		var end tracehook.End
		ctx, end = s.opts.Trace(ctx, "auth.revocation_check")
		var cached bool
		defer func() {
			end(err, tracehook.Bool("groundwork.auth.cached", cached), tracehook.Bool("groundwork.auth.revoked", revoked))
		}()
		return s.check(ctx, subject, sessionID, epoch, &cached)
	}
	return s.check(ctx, subject, sessionID, epoch, nil)
}

// check reads the session key and the subject's epoch key; when cached is
// not nil, it reports whether both replies came from client-side caching.
func (s *RedisRevocations) check(ctx context.Context, subject, sessionID string, epoch int64, cached *bool) (bool, error) {
	sessionCmd := s.client.B().Get().Key(s.sessionKey(subject, sessionID)).Cache()
	epochCmd := s.client.B().Get().Key(s.epochKey(subject)).Cache()
	var session, current rueidis.RedisResult
	if s.opts.Strict {
		resps := s.client.DoMulti(ctx, rueidis.Completed(sessionCmd), rueidis.Completed(epochCmd))
		session, current = resps[0], resps[1]
	} else {
		session = s.client.DoCache(ctx, sessionCmd, s.opts.CacheTTL)
		current = s.client.DoCache(ctx, epochCmd, s.opts.CacheTTL)
		if cached != nil {
			*cached = session.IsCacheHit() && current.IsCacheHit()
		}
	}
	if err := session.Error(); !rueidis.IsRedisNil(err) {
		if err != nil {
			return false, fmt.Errorf("auth: check session: %w", err)
		}
		return true, nil
	}
	min, err := current.AsInt64()
	if rueidis.IsRedisNil(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("auth: check credential epoch: %w", err)
	}
	return epoch < min, nil
}

// keepMillis rounds keep up to whole milliseconds, at least one.
func keepMillis(keep time.Duration) int64 {
	return max(1, int64((keep+time.Millisecond-1)/time.Millisecond))
}
