package users

import (
	"errors"
	"strings"

	"github.com/lib/pq"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Constraint names from the migrations.
const (
	constraintUsername = "users_username_key_unique"
	constraintEmail    = "users_email_unique"
)

// mapError turns a unique-constraint violation from either driver into
// ErrUsernameTaken, ErrEmailTaken or ErrAlreadyExists, and returns any other
// error unchanged.
func mapError(err error) error {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "23505" {
		return takenBy(pqErr.Constraint, constraintUsername, constraintEmail)
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) && (sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE ||
		sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY) {
		// SQLite names the columns: "UNIQUE constraint failed: users.email".
		return takenBy(sqErr.Error(), "users.username_key", "users.email")
	}
	return err
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
