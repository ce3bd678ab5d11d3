package users

import (
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// User is a registered account, serialised as the API's user object. The
// password hash and the credential epoch are never serialised.
type User struct {
	// ID is assigned by the store on Create and never reused.
	ID int64 `json:"id" db:"id"`
	// Username is unique case-insensitively; its case is kept as given.
	Username string `json:"username" db:"username"`
	// Email is unique and stored normalised (trimmed, lower-case).
	Email string `json:"email" db:"email"`
	// FirstName is the given name.
	FirstName string `json:"first_name" db:"first_name"`
	// LastName is the family name.
	LastName string `json:"last_name" db:"last_name"`
	// CreatedAt is set by the store on Create, in UTC.
	CreatedAt time.Time `json:"created_at" db:"created_at"`
	// UpdatedAt is set by the store on Create and on every profile Update,
	// in UTC.
	UpdatedAt time.Time `json:"updated_at" db:"updated_at"`
	// PasswordHash is the argon2id PHC string; it never leaves the server.
	PasswordHash string `json:"-" db:"password_hash"`
	// CredentialEpoch counts the user's credential changes (password
	// changes); tokens carry the epoch they were issued under, and a raised
	// epoch rejects the older ones. It is not serialised.
	CredentialEpoch int64 `json:"-" db:"credential_epoch"`
}

// normalizeEmail trims an email address and lower-cases it, the form in
// which emails are stored and compared.
func normalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// usernameKey is the folded username the unique index is built on: NFKC
// normalised (so composed and decomposed accents, or full-width letters,
// are the same name) and lower-cased. Folding in Go rather than with SQL
// lower() gives PostgreSQL and SQLite the same, Unicode-aware notion of
// "the same username".
func usernameKey(username string) string {
	return strings.ToLower(norm.NFKC.String(strings.TrimSpace(username)))
}
