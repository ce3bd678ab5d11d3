package users

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Store persists users. Implementations must be safe for concurrent use and
// enforce uniqueness of usernames (case-insensitively) and emails (after
// normalisation) atomically, reporting violations as ErrUsernameTaken or
// ErrEmailTaken. userstest.RunStoreTests checks an implementation.
type Store interface {
	// Create inserts u (its ID and timestamps are ignored) and returns the
	// stored user with its new ID and CreatedAt = UpdatedAt = now.
	Create(ctx context.Context, u User) (*User, error)
	// GetByID returns the user or ErrNotFound.
	GetByID(ctx context.Context, id int64) (*User, error)
	// GetByLogin finds a user by email when login contains "@", else by
	// username, case-insensitively; ErrNotFound when none matches.
	GetByLogin(ctx context.Context, login string) (*User, error)
	// Update applies the non-nil fields of p, sets UpdatedAt to now and
	// returns the updated user; ErrNotFound, ErrEmailTaken.
	Update(ctx context.Context, id int64, p ProfileUpdate) (*User, error)
	// UpdatePasswordHash replaces the hash if it still equals current;
	// ErrConflict if it changed meanwhile, ErrNotFound if the user is gone.
	UpdatePasswordHash(ctx context.Context, id int64, current, next string) error
	// Delete removes the user; ErrNotFound if there is none.
	Delete(ctx context.Context, id int64) error
}

// SQLStore is the Store on PostgreSQL or SQLite through sqlx. Call Migrate
// on the database first.
type SQLStore struct {
	db *sqlx.DB
}

var _ Store = (*SQLStore)(nil)

// NewStore returns a Store on db, opened with internal/database (either
// dialect).
func NewStore(db *sqlx.DB) *SQLStore {
	return &SQLStore{db: db}
}

// userColumns are the columns scanned into a User, in struct-tag names.
const userColumns = "id, username, email, first_name, last_name, created_at, updated_at, password_hash, credential_epoch"

// now is the store's clock: UTC at microsecond precision, which both
// databases store exactly.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Create implements Store.
func (s *SQLStore) Create(ctx context.Context, u User) (*User, error) {
	u.Username = strings.TrimSpace(u.Username)
	u.Email = normalizeEmail(u.Email)
	u.CreatedAt = now()
	u.UpdatedAt = u.CreatedAt
	err := s.db.GetContext(ctx, &u.ID, s.db.Rebind(`INSERT INTO users
		(username, username_key, email, first_name, last_name, password_hash, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		u.Username, usernameKey(u.Username), u.Email, u.FirstName, u.LastName, u.PasswordHash,
		u.CreatedAt, u.UpdatedAt)
	if err != nil {
		return nil, fmt.Errorf("users: create: %w", mapError(err))
	}
	return &u, nil
}

// GetByID implements Store.
func (s *SQLStore) GetByID(ctx context.Context, id int64) (*User, error) {
	return s.getOne(ctx, "get by id", "SELECT "+userColumns+" FROM users WHERE id = ?", id)
}

// GetByLogin implements Store.
func (s *SQLStore) GetByLogin(ctx context.Context, login string) (*User, error) {
	if strings.Contains(login, "@") {
		return s.getOne(ctx, "get by login", "SELECT "+userColumns+" FROM users WHERE email = ?", normalizeEmail(login))
	}
	return s.getOne(ctx, "get by login", "SELECT "+userColumns+" FROM users WHERE username_key = ?", usernameKey(login))
}

// Update implements Store.
func (s *SQLStore) Update(ctx context.Context, id int64, p ProfileUpdate) (*User, error) {
	if p.Email != nil {
		email := normalizeEmail(*p.Email)
		p.Email = &email
	}
	return s.getOne(ctx, "update", `UPDATE users SET
		first_name = COALESCE(?, first_name),
		last_name = COALESCE(?, last_name),
		email = COALESCE(?, email),
		updated_at = ?
		WHERE id = ? RETURNING `+userColumns,
		nullable(p.FirstName), nullable(p.LastName), nullable(p.Email), now(), id)
}

// UpdatePasswordHash implements Store.
func (s *SQLStore) UpdatePasswordHash(ctx context.Context, id int64, current, next string) error {
	res, err := s.db.ExecContext(ctx, s.db.Rebind(
		"UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?"), next, id, current)
	if err := affectedOne(res, err); err != nil {
		if errors.Is(err, ErrNotFound) {
			// Tell "gone" from "changed meanwhile".
			if _, gerr := s.GetByID(ctx, id); gerr == nil {
				err = ErrConflict
			}
		}
		return fmt.Errorf("users: update password hash: %w", err)
	}
	return nil
}

// Delete implements Store.
func (s *SQLStore) Delete(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, s.db.Rebind("DELETE FROM users WHERE id = ?"), id)
	if err := affectedOne(res, err); err != nil {
		return fmt.Errorf("users: delete: %w", err)
	}
	return nil
}

// getOne runs a query returning at most one user row.
func (s *SQLStore) getOne(ctx context.Context, op, query string, args ...any) (*User, error) {
	var u User
	if err := s.db.GetContext(ctx, &u, s.db.Rebind(query), args...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("users: %s: %w", op, ErrNotFound)
		}
		return nil, fmt.Errorf("users: %s: %w", op, mapError(err))
	}
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return &u, nil
}

// affectedOne turns an Exec result that touched no row into ErrNotFound.
func affectedOne(res sql.Result, err error) error {
	if err != nil {
		return mapError(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// nullable passes a nil *string as SQL NULL.
func nullable(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}
