package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// schema is the example's device table beside the users tables, valid on
// PostgreSQL and SQLite alike.
var schema = []string{
	`CREATE TABLE IF NOT EXISTS push_devices (
		token        TEXT      PRIMARY KEY,
		user_id      BIGINT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
		platform     TEXT      NOT NULL,
		created_at   TIMESTAMP NOT NULL,
		last_seen_at TIMESTAMP NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS push_devices_user_id ON push_devices (user_id, last_seen_at)`,
}

func migrate(ctx context.Context, db *sqlx.DB) error {
	for _, stmt := range schema {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("push: migrate: %w", err)
		}
	}
	return nil
}

// maxDevices is how many devices one user keeps; registering another
// forgets the one seen least recently.
const maxDevices = 20

// device is one registered token, as the API answers it.
type device struct {
	Token      string    `json:"token" db:"token"`
	Platform   string    `json:"platform" db:"platform"`
	CreatedAt  time.Time `json:"created_at" db:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at" db:"last_seen_at"`
}

// devices keeps the device tokens in the example's database.
type devices struct {
	db *sqlx.DB
}

// register records token for userID; a token already registered (by this
// user or another) is moved to userID and marked seen now.
func (d *devices) register(ctx context.Context, userID int64, token, platform string) (*device, error) {
	now := time.Now().UTC()
	if _, err := d.db.ExecContext(ctx, d.db.Rebind(`INSERT INTO push_devices (token, user_id, platform, created_at, last_seen_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (token) DO UPDATE SET user_id = excluded.user_id, platform = excluded.platform, last_seen_at = excluded.last_seen_at`),
		token, userID, platform, now, now); err != nil {
		return nil, fmt.Errorf("push: register: %w", err)
	}
	if _, err := d.db.ExecContext(ctx, d.db.Rebind(`DELETE FROM push_devices WHERE user_id = ? AND token NOT IN
		(SELECT token FROM push_devices WHERE user_id = ? ORDER BY last_seen_at DESC, token LIMIT ?)`),
		userID, userID, maxDevices); err != nil {
		return nil, fmt.Errorf("push: register: %w", err)
	}
	var out device
	if err := d.db.GetContext(ctx, &out, d.db.Rebind("SELECT token, platform, created_at, last_seen_at FROM push_devices WHERE token = ?"), token); err != nil {
		return nil, fmt.Errorf("push: register: %w", err)
	}
	return &out, nil
}

// list returns userID's devices, most recently seen first.
func (d *devices) list(ctx context.Context, userID int64) ([]device, error) {
	out := []device{}
	if err := d.db.SelectContext(ctx, &out, d.db.Rebind(`SELECT token, platform, created_at, last_seen_at
		FROM push_devices WHERE user_id = ? ORDER BY last_seen_at DESC, token`), userID); err != nil {
		return nil, fmt.Errorf("push: list devices: %w", err)
	}
	return out, nil
}

// remove forgets tokens of userID and reports how many it removed; other
// users' tokens are left alone.
func (d *devices) remove(ctx context.Context, userID int64, tokens ...string) (int64, error) {
	if len(tokens) == 0 {
		return 0, nil
	}
	q, args, err := sqlx.In("DELETE FROM push_devices WHERE user_id = ? AND token IN (?)", userID, tokens)
	if err != nil {
		return 0, err
	}
	res, err := d.db.ExecContext(ctx, d.db.Rebind(q), args...)
	if err != nil {
		return 0, fmt.Errorf("push: remove devices: %w", err)
	}
	return res.RowsAffected()
}
