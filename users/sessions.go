package users

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/groundwork-go/groundwork/auth"
)

// SQLSessions is the auth.SessionStore on the users database (PostgreSQL or
// SQLite): a sessions table next to users, whose credential_epoch column
// is the users' credential epoch. Session times come from the database's
// clock, so every instance agrees on them. Call Migrate on the database
// first.
type SQLSessions struct {
	db      *sqlx.DB
	dialect sqlDialect
	now     string // SQL expression: the database's clock in Unix microseconds
	lock    string // row lock for the credential-epoch check of a new session
	order   string // insertion order among equal creation times
}

var _ auth.SessionStore = (*SQLSessions)(nil)

// NewSessions returns the session store on db.
func NewSessions(db *sqlx.DB) *SQLSessions {
	s := &SQLSessions{db: db, dialect: dialectOf(db)}
	if s.dialect == dialectPostgres {
		s.now = "(EXTRACT(EPOCH FROM now()) * 1000000)::BIGINT"
		s.lock = " FOR SHARE"
		s.order = "seq"
	} else {
		s.now = "CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)"
		s.order = "rowid" // SQLite serialises writers; no row lock needed
	}
	return s
}

// sessionRow is a sessions row.
type sessionRow struct {
	ID          string         `db:"id"`
	UserID      int64          `db:"user_id"`
	Epoch       int64          `db:"epoch"`
	Generation  int64          `db:"generation"`
	CreatedAt   int64          `db:"created_at"`
	RefreshedAt int64          `db:"refreshed_at"`
	ExpiresAt   int64          `db:"expires_at"`
	EndedAt     sql.NullInt64  `db:"ended_at"`
	EndReason   sql.NullString `db:"end_reason"`
	UserAgent   string         `db:"user_agent"`
	ClientIP    string         `db:"client_ip"`
}

const sessionColumns = "id, user_id, epoch, generation, created_at, refreshed_at, expires_at, ended_at, end_reason, user_agent, client_ip"

func (r *sessionRow) session() *auth.Session {
	s := &auth.Session{ID: r.ID, Subject: strconv.FormatInt(r.UserID, 10), Epoch: r.Epoch,
		Generation: uint64(r.Generation), CreatedAt: micros(r.CreatedAt), RefreshedAt: micros(r.RefreshedAt),
		ExpiresAt: micros(r.ExpiresAt), EndReason: r.EndReason.String,
		Client: auth.ClientInfo{UserAgent: r.UserAgent, IP: r.ClientIP}}
	if r.EndedAt.Valid {
		s.EndedAt = micros(r.EndedAt.Int64)
	}
	return s
}

func micros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// userID parses a subject; ok is false for anything that cannot name a user.
func userID(subject string) (int64, bool) {
	id, err := strconv.ParseInt(subject, 10, 64)
	return id, err == nil && id > 0
}

// CreateSession implements auth.SessionStore. On PostgreSQL the insert
// takes a share lock on the user's row, so it waits for a concurrent
// credential change and then sees its new epoch.
func (s *SQLSessions) CreateSession(ctx context.Context, in auth.Session, ttl time.Duration) (*auth.Session, error) {
	uid, ok := userID(in.Subject)
	if !ok {
		return nil, auth.ErrStaleCredentials
	}
	var row sessionRow
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`INSERT INTO sessions
		(id, user_id, epoch, generation, created_at, refreshed_at, expires_at, user_agent, client_ip)
		SELECT ?, id, credential_epoch, 0, `+s.now+`, `+s.now+`, `+s.now+` + ?, ?, ?
		FROM users WHERE id = ? AND credential_epoch = ?`+s.lock+`
		RETURNING `+sessionColumns),
		in.ID, ttl.Microseconds(), in.Client.UserAgent, in.Client.IP, uid, in.Epoch)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, auth.ErrStaleCredentials
	}
	if err != nil {
		return nil, fmt.Errorf("users: create session: %w", mapError(err))
	}
	return row.session(), nil
}

// RotateSession implements auth.SessionStore with one conditional UPDATE;
// when it changes nothing, a second read says why.
func (s *SQLSessions) RotateSession(ctx context.Context, subject, id string, gen uint64, epoch int64, ttl time.Duration) (*auth.Session, error) {
	uid, ok := userID(subject)
	if !ok {
		return nil, auth.ErrSessionNotFound
	}
	var row sessionRow
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`UPDATE sessions SET
		generation = generation + 1, refreshed_at = `+s.now+`, expires_at = `+s.now+` + ?
		WHERE id = ? AND user_id = ? AND generation = ? AND ended_at IS NULL AND expires_at > `+s.now+`
		AND EXISTS (SELECT 1 FROM users WHERE users.id = ? AND users.credential_epoch = ?)
		RETURNING `+sessionColumns),
		ttl.Microseconds(), id, uid, int64(gen), uid, epoch)
	if err == nil {
		return row.session(), nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("users: rotate session: %w", err)
	}
	return nil, s.whyNotRotated(ctx, uid, id, gen)
}

// whyNotRotated classifies a rotation that changed nothing, ending the
// session when its generation has moved on (refresh-token reuse).
func (s *SQLSessions) whyNotRotated(ctx context.Context, uid int64, id string, gen uint64) error {
	var cur struct {
		UserID     int64         `db:"user_id"`
		Generation int64         `db:"generation"`
		EndedAt    sql.NullInt64 `db:"ended_at"`
		Expired    bool          `db:"expired"`
	}
	err := s.db.GetContext(ctx, &cur, s.db.Rebind(`SELECT user_id, generation, ended_at,
		expires_at <= `+s.now+` AS expired FROM sessions WHERE id = ?`), id)
	switch {
	case errors.Is(err, sql.ErrNoRows) || (err == nil && cur.UserID != uid):
		return auth.ErrSessionNotFound
	case err != nil:
		return fmt.Errorf("users: rotate session: %w", err)
	case cur.EndedAt.Valid || cur.Expired:
		return auth.ErrSessionEnded
	case uint64(cur.Generation) != gen:
		if _, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE sessions SET ended_at = `+s.now+`, end_reason = ?
			WHERE id = ? AND ended_at IS NULL`), auth.EndRefreshUsed, id); err != nil {
			return fmt.Errorf("users: end reused session: %w", err)
		}
		return auth.ErrRefreshReused
	default:
		return auth.ErrStaleCredentials
	}
}

// EndSession implements auth.SessionStore.
func (s *SQLSessions) EndSession(ctx context.Context, subject, id, reason string) (*auth.Session, bool, error) {
	uid, ok := userID(subject)
	if !ok {
		return nil, false, auth.ErrSessionNotFound
	}
	var row sessionRow
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`UPDATE sessions SET ended_at = `+s.now+`, end_reason = ?
		WHERE id = ? AND user_id = ? AND ended_at IS NULL RETURNING `+sessionColumns), reason, id, uid)
	if err == nil {
		return row.session(), true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, false, fmt.Errorf("users: end session: %w", err)
	}
	err = s.db.GetContext(ctx, &row, s.db.Rebind(`SELECT `+sessionColumns+` FROM sessions
		WHERE id = ? AND user_id = ?`), id, uid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, auth.ErrSessionNotFound
	}
	if err != nil {
		return nil, false, fmt.Errorf("users: end session: %w", err)
	}
	return row.session(), false, nil
}

// EndSessions implements auth.SessionStore.
func (s *SQLSessions) EndSessions(ctx context.Context, subject, except, reason string) ([]auth.Session, error) {
	uid, ok := userID(subject)
	if !ok {
		return nil, nil
	}
	var rows []sessionRow
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`UPDATE sessions SET ended_at = `+s.now+`, end_reason = ?
		WHERE user_id = ? AND id <> ? AND ended_at IS NULL AND expires_at > `+s.now+`
		RETURNING `+sessionColumns), reason, uid, except)
	if err != nil {
		return nil, fmt.Errorf("users: end sessions: %w", err)
	}
	return sessions(rows), nil
}

// ListSessions implements auth.SessionStore.
func (s *SQLSessions) ListSessions(ctx context.Context, subject string) ([]auth.Session, error) {
	uid, ok := userID(subject)
	if !ok {
		return nil, nil
	}
	var rows []sessionRow
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`SELECT `+sessionColumns+` FROM sessions
		WHERE user_id = ? AND ended_at IS NULL AND expires_at > `+s.now+`
		ORDER BY created_at DESC, `+s.order+` DESC`), uid)
	if err != nil {
		return nil, fmt.Errorf("users: list sessions: %w", err)
	}
	return sessions(rows), nil
}

// ChangeCredentials implements auth.SessionStore: one transaction raises
// the user's credential_epoch (locking the user's row) and ends the user's
// sessions.
func (s *SQLSessions) ChangeCredentials(ctx context.Context, subject string) (int64, error) {
	uid, ok := userID(subject)
	if !ok {
		return 0, auth.ErrSessionNotFound
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("users: change credentials: %w", err)
	}
	defer tx.Rollback()
	var epoch int64
	err = tx.GetContext(ctx, &epoch, tx.Rebind(`UPDATE users SET credential_epoch = credential_epoch + 1
		WHERE id = ? RETURNING credential_epoch`), uid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, auth.ErrSessionNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("users: change credentials: %w", err)
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE sessions SET ended_at = `+s.now+`, end_reason = ?
		WHERE user_id = ? AND ended_at IS NULL`), auth.EndCredentials, uid); err != nil {
		return 0, fmt.Errorf("users: change credentials: end sessions: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("users: change credentials: %w", err)
	}
	return epoch, nil
}

// EndedSessions implements auth.SessionStore.
func (s *SQLSessions) EndedSessions(ctx context.Context, window time.Duration) ([]auth.Session, error) {
	var rows []sessionRow
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`SELECT `+sessionColumns+` FROM sessions
		WHERE ended_at IS NOT NULL AND ended_at > `+s.now+` - ?`), window.Microseconds())
	if err != nil {
		return nil, fmt.Errorf("users: ended sessions: %w", err)
	}
	return sessions(rows), nil
}

// Prune deletes the sessions that have been over (ended or expired) for
// longer than retention, and reports how many. Run it now and then (the
// example server does at start and hourly); ended sessions are kept at
// least as long as an access token lives, so EndedSessions still finds them.
func (s *SQLSessions) Prune(ctx context.Context, retention time.Duration) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM sessions
		WHERE (ended_at IS NOT NULL AND ended_at < `+s.now+` - ?) OR expires_at < `+s.now+` - ?`),
		retention.Microseconds(), retention.Microseconds())
	if err != nil {
		return 0, fmt.Errorf("users: prune sessions: %w", err)
	}
	return res.RowsAffected()
}

func sessions(rows []sessionRow) []auth.Session {
	out := make([]auth.Session, len(rows))
	for i := range rows {
		out[i] = *rows[i].session()
	}
	return out
}
