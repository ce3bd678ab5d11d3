package users

import (
	"errors"
	"fmt"
	"strings"
)

// The store classifies driver errors through the methods the drivers' error
// types have, not through the types themselves, so that importing users
// links neither database driver: a PostgreSQL service does not compile the
// SQLite engine, and an embedded one does not compile lib/pq.

// sqlStater is implemented by PostgreSQL driver errors: lib/pq's *pq.Error
// and pgx's *pgconn.PgError both report the SQLSTATE code this way.
type sqlStater interface {
	SQLState() string
}

// pqFieldGetter is lib/pq's accessor for the fields of an error response by
// their protocol code; 'n' is the constraint name.
type pqFieldGetter interface {
	Get(k byte) string
}

// sqliteCoder is implemented by modernc.org/sqlite's *sqlite.Error, whose
// Code is SQLite's extended result code.
type sqliteCoder interface {
	Code() int
}

// PostgreSQL SQLSTATE codes and classes the store reacts to
// (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const (
	sqlStateUniqueViolation = "23505"
	sqlClassDataException   = "22" // e.g. 22021 character_not_in_repertoire, 22P05
)

// SQLite extended result codes (https://www.sqlite.org/rescode.html).
const (
	sqliteConstraintPrimaryKey = 1555 // SQLITE_CONSTRAINT_PRIMARYKEY
	sqliteConstraintUnique     = 2067 // SQLITE_CONSTRAINT_UNIQUE
	sqliteTooBig               = 18   // SQLITE_TOOBIG
	sqliteMismatch             = 20   // SQLITE_MISMATCH
)

// Constraint names from the migrations.
const (
	constraintUsername = "users_username_key_unique"
	constraintEmail    = "users_email_unique"
)

// mapError turns driver errors from either database into the package's
// sentinels: a unique-constraint violation into ErrUsernameTaken,
// ErrEmailTaken or ErrAlreadyExists, and a value the database rejects as
// malformed (PostgreSQL class 22, data exception, such as SQLSTATE 22021
// for a NUL byte or invalid UTF-8) into ErrInvalidData. Other errors are
// returned unchanged. The driver error stays in the chain for logs.
func mapError(err error) error {
	var pgErr sqlStater
	if errors.As(err, &pgErr) {
		switch code := pgErr.SQLState(); {
		case code == sqlStateUniqueViolation:
			return takenBy(pgConstraint(err), constraintUsername, constraintEmail)
		case sqlClass(code) == sqlClassDataException:
			return fmt.Errorf("%w: %w", ErrInvalidData, err)
		}
		return err
	}
	var sqErr sqliteCoder
	if errors.As(err, &sqErr) {
		switch sqErr.Code() {
		case sqliteConstraintUnique, sqliteConstraintPrimaryKey:
			// SQLite names the columns: "UNIQUE constraint failed: users.email".
			return takenBy(err.Error(), "users.username_key", "users.email")
		case sqliteTooBig, sqliteMismatch:
			return fmt.Errorf("%w: %w", ErrInvalidData, err)
		}
	}
	return err
}

// sqlClass returns the class of an SQLSTATE code: its first two characters.
func sqlClass(code string) string {
	return code[:min(2, len(code))]
}

// pgConstraint returns the name of the constraint a PostgreSQL error is
// about when the driver exposes it, else the error's text, which names it
// too.
func pgConstraint(err error) string {
	var fields pqFieldGetter
	if errors.As(err, &fields) {
		if name := fields.Get('n'); name != "" {
			return name
		}
	}
	return err.Error()
}

// takenBy picks the sentinel whose marker occurs in s.
func takenBy(s, usernameMarker, emailMarker string) error {
	switch {
	case strings.Contains(s, usernameMarker):
		return ErrUsernameTaken
	case strings.Contains(s, emailMarker):
		return ErrEmailTaken
	default:
		return ErrAlreadyExists
	}
}
