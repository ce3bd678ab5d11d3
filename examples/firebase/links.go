package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/groundwork-go/groundwork/auth/firebase"
	"github.com/groundwork-go/groundwork/users"
)

// linksSchema is the example's own table beside the users tables: one row
// per Firebase uid, naming the local user it signs in as. Valid on
// PostgreSQL and SQLite alike.
const linksSchema = `CREATE TABLE IF NOT EXISTS firebase_links (
	firebase_uid TEXT      PRIMARY KEY,
	user_id      BIGINT    NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
	created_at   TIMESTAMP NOT NULL
)`

func migrateLinks(ctx context.Context, db *sqlx.DB) error {
	if _, err := db.ExecContext(ctx, linksSchema); err != nil {
		return fmt.Errorf("firebase_links: migrate: %w", err)
	}
	return nil
}

// noPassword is the password hash of users created by a Firebase sign-in:
// no password verifies against it, so the password login answers 401.
const noPassword = "!firebase"

// links finds and creates the local users behind Firebase uids.
type links struct {
	db *sqlx.DB
}

// userFor returns the local user linked to tok's uid, creating the user
// and the link at the first sign-in. Two first sign-ins racing for one uid
// end with one link: the loser deletes the user it created and takes the
// winner's.
func (l *links) userFor(ctx context.Context, store users.Store, tok *firebase.Token) (*users.User, error) {
	for range 3 {
		id, err := l.lookup(ctx, tok.UID)
		switch {
		case err == nil:
			u, err := store.GetByID(ctx, id)
			if errors.Is(err, users.ErrNotFound) {
				// Deleted meanwhile (the cascade removes the link); link anew.
				continue
			}
			return u, err
		case !errors.Is(err, sql.ErrNoRows):
			return nil, err
		}
		u, err := l.create(ctx, store, tok)
		if err != nil {
			return nil, err
		}
		won, err := l.link(ctx, tok.UID, u.ID)
		if err != nil || !won {
			if derr := store.Delete(ctx, u.ID); derr != nil && err == nil {
				err = derr
			}
		}
		if err != nil {
			return nil, err
		}
		if won {
			return u, nil
		}
	}
	return nil, fmt.Errorf("firebase_links: uid %q kept changing", tok.UID)
}

func (l *links) lookup(ctx context.Context, uid string) (int64, error) {
	var id int64
	err := l.db.GetContext(ctx, &id, l.db.Rebind("SELECT user_id FROM firebase_links WHERE firebase_uid = ?"), uid)
	return id, err
}

// link records uid → userID unless uid is linked already; won reports
// whether this call made the link.
func (l *links) link(ctx context.Context, uid string, userID int64) (won bool, err error) {
	res, err := l.db.ExecContext(ctx, l.db.Rebind(`INSERT INTO firebase_links (firebase_uid, user_id, created_at)
		VALUES (?, ?, ?) ON CONFLICT (firebase_uid) DO NOTHING`), uid, userID, time.Now().UTC())
	if err != nil {
		return false, fmt.Errorf("firebase_links: link: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// create makes the local user for a first Firebase sign-in. The username is
// generated; the email is the token's verified email when no other account
// holds it (an existing password account with that email is not taken
// over), else a placeholder under the reserved .invalid domain.
func (l *links) create(ctx context.Context, store users.Store, tok *firebase.Token) (*users.User, error) {
	suffix := make([]byte, 8)
	rand.Read(suffix)
	u := users.User{Username: "fb_" + hex.EncodeToString(suffix), FirstName: "Firebase", LastName: "User", PasswordHash: noPassword}
	placeholder := u.Username + "@firebase.invalid"
	u.Email = placeholder
	if tok.Email != "" && tok.EmailVerified {
		u.Email = tok.Email
	}
	created, err := store.Create(ctx, u)
	if errors.Is(err, users.ErrEmailTaken) && u.Email != placeholder {
		u.Email = placeholder
		created, err = store.Create(ctx, u)
	}
	return created, err
}

// uidOf returns the Firebase uid linked to userID, or "" for a password
// account.
func (l *links) uidOf(ctx context.Context, userID int64) (string, error) {
	var uid string
	err := l.db.GetContext(ctx, &uid, l.db.Rebind("SELECT firebase_uid FROM firebase_links WHERE user_id = ?"), userID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return uid, err
}
