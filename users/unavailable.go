package users

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
)

// IsUnavailable reports whether err means the database could not be
// reached, dropped the connection or is shutting down, or that password
// hashing is saturated (ErrBusy) — a condition of the service (503), not of
// the request. Handlers and CheckCredentials use it so a database outage or
// a login flood is answered 503 rather than 500.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var opErr *net.OpError
	var pgErr sqlStater
	switch {
	case errors.Is(err, ErrBusy),
		errors.As(err, &opErr),
		errors.Is(err, driver.ErrBadConn),
		errors.Is(err, sql.ErrConnDone),
		errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.As(err, &pgErr):
		// 08: connection exception; 57: operator intervention (shutdown);
		// 53: insufficient resources (too many connections).
		class := sqlClass(pgErr.SQLState())
		return class == "08" || class == "57" || class == "53"
	}
	return strings.Contains(err.Error(), "sql: database is closed")
}
