package users

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/lib/pq"

	"github.com/groundwork-go/groundwork/internal/database"
	"github.com/groundwork-go/groundwork/internal/testenv"
)

// sqliteError returns the error a real SQLite database gives for stmt after
// setup, so that mapError is tested against the driver's own error values.
func sqliteError(t *testing.T, setup, stmt string) error {
	t.Helper()
	db, err := database.Open(context.Background(), "sqlite:"+t.TempDir()+"/e.db")
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(setup); err != nil {
		t.Fatalf("setup: %v", err)
	}
	_, err = db.Exec(stmt)
	if err == nil {
		t.Fatalf("%s: no error", stmt)
	}
	return fmt.Errorf("users: create: %w", err)
}

func TestMapError(t *testing.T) {
	const table = "CREATE TABLE users (id INTEGER PRIMARY KEY, username_key TEXT UNIQUE, email TEXT UNIQUE);" +
		"INSERT INTO users VALUES (1, 'ada', 'ada@example.com')"
	other := errors.New("some other failure")
	tests := []struct {
		name string
		err  error
		want error // nil: returned unchanged
	}{
		{"pq unique username", &pq.Error{Code: "23505", Constraint: constraintUsername}, ErrUsernameTaken},
		{"pq unique email", &pq.Error{Code: "23505", Constraint: constraintEmail}, ErrEmailTaken},
		{"pq unique, name only in message", &pq.Error{Code: "23505",
			Message: `duplicate key value violates unique constraint "users_email_unique"`}, ErrEmailTaken},
		{"pq unique other", &pq.Error{Code: "23505", Constraint: "users_pkey"}, ErrAlreadyExists},
		{"pq invalid byte sequence 22021", &pq.Error{Code: "22021"}, ErrInvalidData},
		{"pq string too long 22001", &pq.Error{Code: "22001"}, ErrInvalidData},
		{"pq untranslatable 22P05", &pq.Error{Code: "22P05"}, ErrInvalidData},
		{"pq connection failure", &pq.Error{Code: "08006"}, nil},
		{"sqlite unique username", sqliteError(t, table, "INSERT INTO users VALUES (2, 'ada', 'b@example.com')"), ErrUsernameTaken},
		{"sqlite unique email", sqliteError(t, table, "INSERT INTO users VALUES (2, 'bob', 'ada@example.com')"), ErrEmailTaken},
		{"sqlite primary key", sqliteError(t, table, "INSERT INTO users VALUES (1, 'bob', 'b@example.com')"), ErrAlreadyExists},
		{"sqlite datatype mismatch", sqliteError(t, table, "INSERT INTO users VALUES ('x', 'bob', 'b@example.com')"), ErrInvalidData},
		{"sqlite syntax", sqliteError(t, table, "INSERT INTO nope VALUES (1)"), nil},
		{"other", other, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mapError(tt.err)
			switch {
			case tt.want == nil && got != tt.err:
				t.Errorf("mapError(%v) = %v, want it unchanged", tt.err, got)
			case tt.want != nil && !errors.Is(got, tt.want):
				t.Errorf("mapError(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
	if !errors.Is(mapError(&pq.Error{Code: "22021"}), ErrInvalidInput) {
		t.Error("ErrInvalidData does not match ErrInvalidInput")
	}
}

// TestStoreRejectsBadBytes sends the values PostgreSQL refuses with SQLSTATE
// 22021 straight to the store, past all validation: the store must answer
// ErrInvalidData, never an unclassified error. SQLite stores such bytes, so
// there the check is that the write does not fail at all.
func TestStoreRejectsBadBytes(t *testing.T) {
	db := testenv.DB(t)
	if err := Migrate(context.Background(), db); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	s := NewStore(db)
	for i, name := range []string{"nul\x00name", "bad\xffutf8"} {
		u := User{Username: fmt.Sprintf("bytes%d", i), Email: fmt.Sprintf("bytes%d@example.com", i),
			FirstName: name, LastName: "x", PasswordHash: "h"}
		_, err := s.Create(context.Background(), u)
		if testenv.UsingPostgres() {
			if !errors.Is(err, ErrInvalidData) || !errors.Is(err, ErrInvalidInput) {
				t.Errorf("Create(first name %q) error = %v, want ErrInvalidData", name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("SQLite Create(first name %q): %v", name, err)
		}
	}
}
