package testenv

import (
	"context"
	"testing"
)

func TestRedisRoundTrip(t *testing.T) {
	s := Redis(t)
	c := s.Client(t)
	ctx := context.Background()
	key := s.Prefix + "k"
	if err := c.Do(ctx, c.B().Set().Key(key).Value("v").Build()).Error(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	got, err := c.Do(ctx, c.B().Get().Key(key).Build()).ToString()
	if err != nil || got != "v" {
		t.Fatalf("GET = %q, %v; want %q", got, err, "v")
	}
}

func TestDBIsolatedAndUsable(t *testing.T) {
	a, b := DB(t), DB(t)
	ctx := context.Background()
	if _, err := a.ExecContext(ctx, "CREATE TABLE t (x INTEGER)"); err != nil {
		t.Fatalf("create in a: %v", err)
	}
	// The same table name in a second test database must not collide.
	if _, err := b.ExecContext(ctx, "CREATE TABLE t (x INTEGER)"); err != nil {
		t.Fatalf("create in b: %v", err)
	}
	if _, err := a.ExecContext(ctx, a.Rebind("INSERT INTO t (x) VALUES (?)"), 42); err != nil {
		t.Fatalf("insert: %v", err)
	}
	var n int
	if err := b.GetContext(ctx, &n, "SELECT COUNT(*) FROM t"); err != nil || n != 0 {
		t.Fatalf("count in b = %d, %v; want 0", n, err)
	}
}

func TestRedisClusterRoundTrip(t *testing.T) {
	s := RedisCluster(t)
	c := s.Client(t)
	ctx := context.Background()
	for _, k := range []string{"a", "b", "c", "d"} { // spread over slots
		key := s.Prefix + k
		if err := c.Do(ctx, c.B().Set().Key(key).Value(k).Build()).Error(); err != nil {
			t.Fatalf("SET %s: %v", key, err)
		}
	}
	if n := len(c.Nodes()); n < 3 {
		t.Fatalf("cluster nodes = %d, want at least 3", n)
	}
}
