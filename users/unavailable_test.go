package users

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"

	"github.com/lib/pq"
)

func TestIsUnavailable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"not found", ErrNotFound, false},
		{"taken", ErrUsernameTaken, false},
		{"unique violation", &pq.Error{Code: "23505"}, false},
		{"dial refused", fmt.Errorf("users: get: %w", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), true},
		{"bad connection", fmt.Errorf("query: %w", driver.ErrBadConn), true},
		{"deadline", context.DeadlineExceeded, true},
		{"admin shutdown", &pq.Error{Code: "57P01"}, true},
		{"connection failure", &pq.Error{Code: "08006"}, true},
		{"too many connections", &pq.Error{Code: "53300"}, true},
		{"closed pool", errors.New("sql: database is closed"), true},
	}
	for _, tt := range tests {
		if got := IsUnavailable(tt.err); got != tt.want {
			t.Errorf("%s: IsUnavailable = %v, want %v", tt.name, got, tt.want)
		}
	}
}
