package cache

import (
	"context"
	_ "embed"
	"time"

	"github.com/redis/rueidis"
)

//go:embed unlock.lua
var unlockSource string

var unlockScript = rueidis.NewLuaScript(unlockSource)

// locker is implemented by stores shared between processes; Typed uses it
// so that a cold key is loaded once across all of them.
type locker interface {
	TryLock(ctx context.Context, key string, ttl time.Duration) (release func(), ok bool, err error)
	// getFresh reads key from the shared backend itself, past any
	// process-local copy.
	getFresh(ctx context.Context, key string) ([]byte, error)
}

var _ locker = (*RedisStore)(nil)

// getFresh reads key from Redis, not from the client-side cache. After
// taking the load lock, a copy cached before another process stored the
// value (its invalidation still on the way) must not cause a second load.
func (s *RedisStore) getFresh(ctx context.Context, key string) ([]byte, error) {
	if err := s.breaker.check(); err != nil {
		return nil, opErr("get", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	r := s.client.Do(ctx, s.client.B().Get().Key(s.valuePfx+key).Build())
	s.breaker.observe(r.Error())
	v, err := valueOf(r)
	if err != nil {
		return nil, err
	}
	return []byte(v), nil
}

// TryLock takes the load lock of key for at most ttl (SET NX PX on
// Prefix+"l:"+key). ok is false when another holder has it. release frees
// the lock if it is still ours; it is safe to call once after ok.
func (s *RedisStore) TryLock(ctx context.Context, key string, ttl time.Duration) (release func(), ok bool, err error) {
	if err := checkSet(key, ttl, nil); err != nil {
		return nil, false, opErr("lock", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	token := randomToken()
	k := s.prefix + "l:" + key
	c := s.client
	err = s.breaker.guard("lock", func() error {
		err := c.Do(ctx, c.B().Set().Key(k).Value(token).Nx().Px(ttl).Build()).Error()
		if rueidis.IsRedisNil(err) {
			return nil
		}
		ok = err == nil
		return err
	})
	if err != nil || !ok {
		return nil, false, err
	}
	release = func() {
		ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
		defer cancel()
		unlockScript.Exec(ctx, c, []string{k}, []string{token})
	}
	return release, true, nil
}
