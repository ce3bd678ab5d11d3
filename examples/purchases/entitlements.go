package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/groundwork-go/groundwork/iap/appstore"
)

// schema is the example's own tables beside the users tables, valid on
// PostgreSQL and SQLite alike: one entitlement per original transaction (a
// subscription keeps its original transaction id across renewals) and the
// notifications already processed.
var schema = []string{
	`CREATE TABLE IF NOT EXISTS apple_entitlements (
		original_transaction_id TEXT      PRIMARY KEY,
		user_id                 BIGINT    REFERENCES users (id) ON DELETE SET NULL,
		product_id              TEXT      NOT NULL,
		transaction_id          TEXT      NOT NULL,
		status                  TEXT      NOT NULL,
		expires_at              TIMESTAMP,
		revoked_at              TIMESTAMP,
		environment             TEXT      NOT NULL,
		signed_at               BIGINT    NOT NULL,
		updated_at              TIMESTAMP NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS apple_entitlements_user_id ON apple_entitlements (user_id)`,
	`CREATE TABLE IF NOT EXISTS apple_notifications (
		notification_uuid TEXT      PRIMARY KEY,
		notification_type TEXT      NOT NULL,
		subtype           TEXT      NOT NULL,
		processed_at      TIMESTAMP NOT NULL
	)`,
}

// Entitlement states.
const (
	statusActive       = "active"        // purchased, or subscribed and not expired
	statusBillingRetry = "billing_retry" // renewal failed; Apple is still trying
	statusExpired      = "expired"       // the subscription ended
	statusRevoked      = "revoked"       // refunded or revoked (Family Sharing)
)

// errOwnedByOther is returned when a transaction is claimed by a second user.
var errOwnedByOther = errors.New("purchases: transaction belongs to another user")

// entitlement is one row, as the API answers it.
type entitlement struct {
	OriginalTransactionID string     `json:"original_transaction_id" db:"original_transaction_id"`
	ProductID             string     `json:"product_id" db:"product_id"`
	TransactionID         string     `json:"transaction_id" db:"transaction_id"`
	Status                string     `json:"status" db:"status"`
	Active                bool       `json:"active" db:"-"`
	ExpiresAt             *time.Time `json:"expires_at" db:"expires_at"`
	RevokedAt             *time.Time `json:"revoked_at" db:"revoked_at"`
	Environment           string     `json:"environment" db:"environment"`
	UpdatedAt             time.Time  `json:"updated_at" db:"updated_at"`
}

// store keeps entitlements in the example's database.
type store struct {
	db  *sqlx.DB
	now func() time.Time
}

func migrate(ctx context.Context, db *sqlx.DB) error {
	for _, stmt := range schema {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("purchases: migrate: %w", err)
		}
	}
	return nil
}

// execer is what upsert needs from a database or a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	Rebind(query string) string
}

// upsert records tx in status, unless the row already holds data Apple
// signed later (notifications may arrive out of order).
func (s *store) upsert(ctx context.Context, db execer, tx *appstore.Transaction, status string) error {
	var expires, revoked *time.Time
	if t := tx.ExpiresDate.Time(); !t.IsZero() {
		expires = &t
	}
	if t := tx.RevocationDate.Time(); !t.IsZero() {
		revoked = &t
	}
	_, err := db.ExecContext(ctx, db.Rebind(`INSERT INTO apple_entitlements
		(original_transaction_id, product_id, transaction_id, status, expires_at, revoked_at, environment, signed_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (original_transaction_id) DO UPDATE SET
			product_id = excluded.product_id, transaction_id = excluded.transaction_id, status = excluded.status,
			expires_at = excluded.expires_at, revoked_at = excluded.revoked_at, environment = excluded.environment,
			signed_at = excluded.signed_at, updated_at = excluded.updated_at
		WHERE apple_entitlements.signed_at <= excluded.signed_at`),
		tx.OriginalTransactionID, tx.ProductID, tx.TransactionID, status, expires, revoked,
		string(tx.Environment), int64(tx.SignedDate), s.now().UTC())
	if err != nil {
		return fmt.Errorf("purchases: upsert: %w", err)
	}
	return nil
}

// claim records a transaction the app posted and binds it to userID. A
// transaction already bound to another user is errOwnedByOther: one
// purchase does not unlock two accounts.
func (s *store) claim(ctx context.Context, userID int64, tx *appstore.Transaction) (*entitlement, error) {
	if err := s.upsert(ctx, s.db, tx, statusOf(tx, s.now())); err != nil {
		return nil, err
	}
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE apple_entitlements SET user_id = ?
		WHERE original_transaction_id = ? AND (user_id IS NULL OR user_id = ?)`), userID, tx.OriginalTransactionID, userID)
	if err != nil {
		return nil, fmt.Errorf("purchases: claim: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, fmt.Errorf("purchases: claim: %w", err)
	}
	if n == 0 {
		return nil, errOwnedByOther
	}
	var e entitlement
	if err := s.db.GetContext(ctx, &e, s.db.Rebind("SELECT "+entitlementColumns+
		" FROM apple_entitlements WHERE original_transaction_id = ?"), tx.OriginalTransactionID); err != nil {
		return nil, fmt.Errorf("purchases: claim: %w", err)
	}
	e.Active = e.active(s.now())
	return &e, nil
}

const entitlementColumns = "original_transaction_id, product_id, transaction_id, status, expires_at, revoked_at, environment, updated_at"

// list returns the user's entitlements, newest first.
func (s *store) list(ctx context.Context, userID int64) ([]entitlement, error) {
	out := []entitlement{}
	if err := s.db.SelectContext(ctx, &out, s.db.Rebind("SELECT "+entitlementColumns+
		" FROM apple_entitlements WHERE user_id = ? ORDER BY updated_at DESC, original_transaction_id"), userID); err != nil {
		return nil, fmt.Errorf("purchases: list: %w", err)
	}
	now := s.now()
	for i := range out {
		out[i].Active = out[i].active(now)
	}
	return out, nil
}

// active reports whether the entitlement unlocks its product at now.
func (e *entitlement) active(now time.Time) bool {
	return e.Status == statusActive && e.RevokedAt == nil && (e.ExpiresAt == nil || e.ExpiresAt.After(now))
}

// apply is the webhook's appstore.NotificationFunc. It records the
// notification's UUID and applies it in one database transaction: a
// notification delivered again (Apple retries until it gets a 200, reusing
// the UUID) changes nothing, and a failed apply records nothing, so the
// retry applies it.
func (s *store) apply(ctx context.Context, n *appstore.Notification) error {
	dbtx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("purchases: apply: %w", err)
	}
	defer dbtx.Rollback()
	res, err := dbtx.ExecContext(ctx, dbtx.Rebind(`INSERT INTO apple_notifications
		(notification_uuid, notification_type, subtype, processed_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (notification_uuid) DO NOTHING`), n.NotificationUUID, n.NotificationType, n.Subtype, s.now().UTC())
	if err != nil {
		return fmt.Errorf("purchases: apply: %w", err)
	}
	if fresh, err := res.RowsAffected(); err != nil || fresh == 0 {
		return err // processed before: nothing to do
	}
	if n.Data != nil && n.Data.Transaction != nil {
		tx := n.Data.Transaction
		if err := s.upsert(ctx, dbtx, tx, notificationStatus(n, tx, s.now())); err != nil {
			return err
		}
	}
	return dbtx.Commit()
}

// statusOf derives the state of a transaction the app posted.
func statusOf(tx *appstore.Transaction, now time.Time) string {
	switch {
	case tx.RevocationDate != 0:
		return statusRevoked
	case tx.ExpiresDate != 0 && !tx.ExpiresDate.Time().After(now):
		return statusExpired
	}
	return statusActive
}

// notificationStatus derives the state a notification reports.
func notificationStatus(n *appstore.Notification, tx *appstore.Transaction, now time.Time) string {
	if tx.RevocationDate != 0 {
		return statusRevoked
	}
	switch n.NotificationType {
	case "REFUND", "REVOKE":
		return statusRevoked
	case "EXPIRED", "GRACE_PERIOD_EXPIRED":
		return statusExpired
	case "DID_FAIL_TO_RENEW":
		if n.Subtype == "GRACE_PERIOD" {
			return statusActive
		}
		return statusBillingRetry
	}
	return statusOf(tx, now)
}
