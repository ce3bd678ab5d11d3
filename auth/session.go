package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/groundwork-go/groundwork/httpx"
)

// Session is one login of a subject: every token carries its id ("sid"),
// refreshing rotates the tokens within it, and ending it kills them all.
type Session struct {
	// ID is 128 random bits, hex-encoded.
	ID string
	// Subject is the user ID.
	Subject string
	// Epoch is the subject's credential epoch when the session started.
	// A credential change (password change, account deletion) raises the
	// subject's epoch and ends the session.
	Epoch int64
	// Generation counts refreshes: only the refresh token of the current
	// generation is accepted, and presenting an older one ends the session
	// (reuse of a consumed refresh token means it was stolen).
	Generation uint64
	// CreatedAt is when the session started.
	CreatedAt time.Time
	// RefreshedAt is when the tokens were last rotated (CreatedAt at first).
	RefreshedAt time.Time
	// ExpiresAt is when the session's current refresh token expires; a
	// session not refreshed by then is over.
	ExpiresAt time.Time
	// EndedAt is when the session was ended; zero while it is live.
	EndedAt time.Time
	// EndReason says why it ended: one of the EndReason constants.
	EndReason string
	// Client describes the client that started the session.
	Client ClientInfo
}

// ClientInfo describes the client that started a session, for the user's
// list of sessions.
type ClientInfo struct {
	// UserAgent is the User-Agent header, cleaned to printable UTF-8 and
	// cut to 256 bytes.
	UserAgent string
	// IP is the client's address as the server resolved it.
	IP string
}

// maxUserAgent is the longest User-Agent kept with a session, in bytes.
const maxUserAgent = 256

// ClientInfoFromRequest describes r's client: its User-Agent and the
// address httpx.ClientIP resolved (the peer address without it).
func ClientInfoFromRequest(r *http.Request) ClientInfo {
	c := ClientInfo{UserAgent: r.UserAgent()}
	if ip := httpx.ClientIPFromRequest(r); ip.IsValid() {
		c.IP = ip.String()
	}
	return c
}

// clean makes c safe to store: valid UTF-8 without control or format
// characters, the User-Agent cut to maxUserAgent bytes on a rune boundary.
func (c ClientInfo) clean() ClientInfo {
	c.UserAgent = printable(c.UserAgent, maxUserAgent)
	c.IP = printable(c.IP, 64)
	return c
}

// printable returns s as valid UTF-8 with control and format characters
// dropped, at most n bytes long.
func printable(s string, n int) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			continue
		}
		if b.Len()+utf8.RuneLen(r) > n {
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Why a session ended (Session.EndReason).
const (
	EndLogout      = "logout"            // the client logged out
	EndRevoked     = "revoked"           // the user ended it from the session list
	EndRefreshUsed = "refresh_reuse"     // a consumed refresh token was presented again
	EndCredentials = "credential_change" // the password changed or the account was deleted
)

// Session errors. ErrSessionEnded, ErrRefreshReused and ErrStaleCredentials
// reject a token (401); ErrSessionNotFound answers 404 on the session list.
var (
	ErrSessionNotFound  = errors.New("auth: session not found")
	ErrSessionEnded     = errors.New("auth: session ended or expired")
	ErrRefreshReused    = errors.New("auth: refresh token reused; session ended")
	ErrStaleCredentials = errors.New("auth: credentials changed since they were read")
)

// SessionStore records sessions durably, next to the users they belong to.
// It is the source of truth for refresh: every refresh is one conditional
// write here, so it survives restarts of the application and of any cache.
// Implementations must be safe for concurrent use and make each method
// atomic; RunSessionStoreTests in package authtest checks one.
//
// A subject's credential epoch lives with the subject's credentials (the
// users table, for users.SQLSessions): CreateSession and RotateSession
// succeed only while the subject's current epoch equals the one given, and
// ChangeCredentials raises it. This is what makes a login or refresh that
// read the credentials before a password change unable to outlive it.
type SessionStore interface {
	// CreateSession records s, whose ID, Subject, Epoch and Client the
	// caller sets; the store sets CreatedAt and RefreshedAt to now and
	// ExpiresAt to now+ttl by its own clock, and returns the stored
	// session. ErrStaleCredentials when the subject's epoch is no longer
	// s.Epoch or the subject does not exist.
	CreateSession(ctx context.Context, s Session, ttl time.Duration) (*Session, error)
	// RotateSession moves the live session id of subject from generation
	// gen to gen+1, sets RefreshedAt to now and ExpiresAt to now+ttl, and
	// returns it; of concurrent calls with one generation exactly one
	// succeeds. Errors: ErrSessionNotFound (unknown, or another subject's),
	// ErrSessionEnded (ended or expired), ErrStaleCredentials (the
	// subject's epoch is no longer epoch), ErrRefreshReused (the session
	// is past gen: the store ends it with EndRefreshUsed in the same call).
	RotateSession(ctx context.Context, subject, id string, gen uint64, epoch int64, ttl time.Duration) (*Session, error)
	// EndSession ends the session id of subject with reason and returns it
	// with ended true, or, when it had already ended, returns it unchanged
	// with ended false. ErrSessionNotFound when subject has no such session.
	EndSession(ctx context.Context, subject, id, reason string) (s *Session, ended bool, err error)
	// EndSessions ends every live session of subject except the one named
	// except ("" for none) and returns those it ended.
	EndSessions(ctx context.Context, subject, except, reason string) ([]Session, error)
	// ListSessions returns subject's live sessions, newest first.
	ListSessions(ctx context.Context, subject string) ([]Session, error)
	// ChangeCredentials raises subject's credential epoch by one and ends
	// all its sessions with EndCredentials, atomically, returning the new
	// epoch. ErrSessionNotFound when the subject does not exist.
	ChangeCredentials(ctx context.Context, subject string) (epoch int64, err error)
	// EndedSessions returns the sessions ended within the last window, for
	// restoring a RevocationStore that lost its state (a restart of the
	// embedded default, a flushed Redis).
	EndedSessions(ctx context.Context, window time.Duration) ([]Session, error)
}
