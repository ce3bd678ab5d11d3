// Package database opens the relational database Groundwork's stores use:
// PostgreSQL through github.com/lib/pq, or an embedded SQLite file through the
// pure-Go modernc.org/sqlite driver, chosen by the URL.
//
//	db, err := database.Open(ctx, os.Getenv("DATABASE_URL")) // "" → sqlite:groundwork.db
package database

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"  // registers the "postgres" driver
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DefaultURL is the database used when none is configured: an SQLite file in
// the working directory.
const DefaultURL = "sqlite:groundwork.db"

func init() {
	sqlx.BindDriver("sqlite", sqlx.QUESTION)
}

// Dialect names the SQL dialect of an open database.
type Dialect string

// The dialects Open supports.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// DialectOf reports the dialect of db, judged by its driver name.
func DialectOf(db *sqlx.DB) Dialect {
	if db.DriverName() == "postgres" {
		return Postgres
	}
	return SQLite
}

// Open connects to the database named by rawURL and pings it. URLs starting
// with postgres:// or postgresql:// use PostgreSQL; sqlite:PATH (or
// sqlite:///abs/path) opens or creates an SQLite file. An empty URL means
// DefaultURL.
func Open(ctx context.Context, rawURL string) (*sqlx.DB, error) {
	if rawURL == "" {
		rawURL = DefaultURL
	}
	driver, dsn, err := parse(rawURL)
	if err != nil {
		return nil, err
	}
	db, err := sqlx.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("database: open: %w", err)
	}
	configurePool(db, driver)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("database: connect: %w", err)
	}
	return db, nil
}

func parse(rawURL string) (driver, dsn string, err error) {
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		if _, err := url.Parse(rawURL); err != nil {
			return "", "", fmt.Errorf("database: invalid URL: %w", err)
		}
		return "postgres", rawURL, nil
	case strings.HasPrefix(rawURL, "sqlite:"):
		path := strings.TrimPrefix(rawURL, "sqlite:")
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			return "", "", fmt.Errorf("database: sqlite URL %q names no file", rawURL)
		}
		return "sqlite", sqliteDSN(path), nil
	default:
		return "", "", fmt.Errorf("database: unsupported URL scheme (want postgres://, postgresql:// or sqlite:)")
	}
}

// sqliteDSN enables WAL (concurrent readers), a busy timeout (writers wait
// instead of failing with SQLITE_BUSY) and foreign keys.
func sqliteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

func configurePool(db *sqlx.DB, driver string) {
	if driver == "sqlite" {
		// One writer at a time is SQLite's model; a small pool avoids lock churn.
		db.SetMaxOpenConns(4)
		db.SetMaxIdleConns(4)
		return
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	db.SetConnMaxIdleTime(5 * time.Minute)
}
