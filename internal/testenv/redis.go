package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/rueidis"

	"github.com/groundwork-go/groundwork/internal/redisconn"
)

// RedisServer is one Redis (or miniredis) a test talks to, with the key
// prefix that isolates the test's keys.
type RedisServer struct {
	// URL is a redis:// URL of the server, usable as REDIS_URL for a
	// server started in-process by the test.
	URL string
	// Prefix is unique to the test; every key the test writes must start
	// with it so concurrent tests and CI runs do not collide.
	Prefix string
	// Real reports whether this is a real Redis (from REDIS_URL or
	// REDIS_CLUSTER_URL) rather than miniredis.
	Real bool
	// Mini is the in-process server when Real is false, else nil.
	Mini *miniredis.Miniredis
}

// Redis returns the test's Redis server: REDIS_URL when set, else a fresh
// miniredis. Keys under Prefix are deleted when the test ends.
func Redis(t testing.TB) *RedisServer {
	t.Helper()
	if url := os.Getenv("REDIS_URL"); url != "" {
		return realRedis(t, url)
	}
	mini := miniredis.RunT(t)
	return &RedisServer{URL: "redis://" + mini.Addr() + "?client_cache=0", Prefix: uniquePrefix(), Mini: mini}
}

// RedisCluster returns the Redis Cluster named by REDIS_CLUSTER_URL (for
// example redis+cluster://127.0.0.1:7001?addr=127.0.0.1:7002), skipping the
// test with a message when it is unset.
func RedisCluster(t testing.TB) *RedisServer {
	t.Helper()
	url := os.Getenv("REDIS_CLUSTER_URL")
	if url == "" {
		t.Skip("REDIS_CLUSTER_URL is not set; .ci/run starts a cluster and sets it")
	}
	return realRedis(t, url)
}

func realRedis(t testing.TB, url string) *RedisServer {
	s := &RedisServer{URL: url, Prefix: uniquePrefix(), Real: true}
	c := s.Client(t)
	t.Cleanup(func() { deletePrefix(t, c, s.Prefix) })
	return s
}

// Client returns a new client of the server, closed when the test ends.
// modify, when non-nil, adjusts the options before connecting (for example
// to set DisableCache). Each call is a separate connection pool, standing in
// for a separate process.
func (s *RedisServer) Client(t testing.TB, modify ...func(*rueidis.ClientOption)) rueidis.Client {
	t.Helper()
	opt, err := redisconn.Options(s.URL)
	if err != nil {
		t.Fatalf("testenv: redis options: %v", err)
	}
	if !s.Real {
		opt.DisableCache = true
	}
	for _, m := range modify {
		m(&opt)
	}
	c, err := rueidis.NewClient(opt)
	if err != nil {
		t.Fatalf("testenv: connect to redis %s: %v", opt.InitAddress, err)
	}
	t.Cleanup(c.Close)
	return c
}

// deletePrefix removes the test's keys with SCAN (never KEYS) on every node.
func deletePrefix(t testing.TB, c rueidis.Client, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, node := range c.Nodes() {
		var cursor uint64
		for {
			entry, err := node.Do(ctx, node.B().Scan().Cursor(cursor).Match(prefix+"*").Count(1000).Build()).AsScanEntry()
			if err != nil {
				t.Logf("testenv: cleanup scan: %v", err)
				break
			}
			for _, k := range entry.Elements {
				c.Do(ctx, c.B().Del().Key(k).Build())
			}
			cursor = entry.Cursor
			if cursor == 0 {
				break
			}
		}
	}
}

func uniquePrefix() string {
	var b [6]byte
	rand.Read(b[:])
	return "gwtest:" + hex.EncodeToString(b[:]) + ":"
}

// UsingRealRedis reports whether Redis gives a real server (REDIS_URL set).
func UsingRealRedis() bool { return os.Getenv("REDIS_URL") != "" }
