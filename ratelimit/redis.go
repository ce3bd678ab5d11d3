package ratelimit

import (
	"context"
	_ "embed"
	"fmt"
	"strconv"

	"github.com/redis/rueidis"
)

// DefaultRedisPrefix is RedisOptions.Prefix when empty.
const DefaultRedisPrefix = "ratelimit:"

//go:embed ratelimit.lua
var luaSource string

// The script writes, so it is not retryable: a retry after a lost reply
// could record one request twice.
var allowScript = rueidis.NewLuaScript(luaSource)

// RedisOptions configure a RedisStore. The zero value is ready to use.
type RedisOptions struct {
	// Prefix starts every key the store writes. Default: DefaultRedisPrefix.
	Prefix string
}

// RedisStore is a Store in Redis (6.0 or later), shared by every process
// using the same Redis and prefix. Each decision is one script call (EVALSHA,
// falling back to EVAL) on one key, so it works on Redis Cluster, and uses
// the Redis clock (TIME), so app servers with skewed clocks agree. The script
// is not retried on connection errors, since a retry could count a request
// twice; such errors reach the Limiter, which fails open.
//
// A key is a string of 12 + 8×n bytes for its last n ≤ Limit allowed
// requests (MEMORY USAGE is about 8.3 KB at 1,000 entries, against about
// 113 KB for a sorted set), and expires one window after its last allowed
// request.
type RedisStore struct {
	client rueidis.Client
	prefix string
}

var _ Store = (*RedisStore)(nil)

// NewRedisStore returns a RedisStore using client, which the caller owns and
// closes.
func NewRedisStore(client rueidis.Client, opts RedisOptions) *RedisStore {
	if opts.Prefix == "" {
		opts.Prefix = DefaultRedisPrefix
	}
	return &RedisStore{client: client, prefix: opts.Prefix}
}

// Allow implements Store.
func (s *RedisStore) Allow(ctx context.Context, key string, p Policy) (Result, error) {
	if err := p.Validate(); err != nil {
		return Result{}, err
	}
	window := p.Window.Microseconds()
	args := []string{strconv.Itoa(p.Limit), strconv.FormatInt(window, 10), strconv.FormatInt(ceilDiv(window, 1000), 10)}
	vals, err := allowScript.Exec(ctx, s.client, []string{s.prefix + key}, args).ToArray()
	if err != nil {
		return Result{}, fmt.Errorf("ratelimit: redis allow: %w", err)
	}
	var nums [4]int64
	if len(vals) != len(nums) {
		return Result{}, fmt.Errorf("ratelimit: redis allow: script returned %d values, want %d", len(vals), len(nums))
	}
	for i := range nums {
		if nums[i], err = vals[i].AsInt64(); err != nil {
			return Result{}, fmt.Errorf("ratelimit: redis allow: %w", err)
		}
	}
	d := decision{allowed: nums[0] == 1, remaining: int(nums[1]), reset: nums[2], now: nums[3]}
	return d.result(p.Limit), nil
}
