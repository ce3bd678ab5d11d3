package redisconn_test

import (
	"context"
	"testing"

	"github.com/groundwork-go/groundwork/internal/redisconn"
	"github.com/groundwork-go/groundwork/internal/testenv"
)

// The server the tests run against (real Redis with REDIS_URL, else the
// in-process miniredis) passes the check.
func TestCheckVersion(t *testing.T) {
	srv := testenv.Redis(t)
	if err := redisconn.CheckVersion(context.Background(), srv.Client(t)); err != nil {
		t.Fatal(err)
	}
}
