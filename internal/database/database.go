// Package database opens the relational database Groundwork's stores use:
// PostgreSQL through github.com/lib/pq, or an embedded SQLite file through the
// pure-Go modernc.org/sqlite driver, chosen by the URL.
//
//	db, err := database.Open(ctx, os.Getenv("DATABASE_URL")) // "" → sqlite:groundwork.db
package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
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

// Options configure OpenWith. The zero value opens the database as Open
// does.
type Options struct {
	// WrapDriver, when set, wraps the driver every connection is made
	// with, given the driver's name ("postgres" or "sqlite"), for example
	// to trace each query. Default: nil, the driver as registered.
	WrapDriver func(name string, d driver.Driver) driver.Driver
}

// Open connects to the database named by rawURL and pings it. URLs starting
// with postgres:// or postgresql:// use PostgreSQL; sqlite:PATH (or
// sqlite:///abs/path) opens or creates an SQLite file. An empty URL means
// DefaultURL.
func Open(ctx context.Context, rawURL string) (*sqlx.DB, error) {
	return OpenWith(ctx, rawURL, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, rawURL string, opts Options) (*sqlx.DB, error) {
	if rawURL == "" {
		rawURL = DefaultURL
	}
	name, dsn, err := parse(rawURL)
	if err != nil {
		return nil, err
	}
	db, err := open(name, dsn, opts.WrapDriver)
	if err != nil {
		return nil, fmt.Errorf("database: open: %w", err)
	}
	configurePool(db, name)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("database: connect: %w", err)
	}
	return db, nil
}

// open opens the pool of the registered driver name, wrapped by wrap when
// it is not nil. The pool keeps the driver's name, which sqlx binds
// placeholders by and DialectOf reads.
func open(name, dsn string, wrap func(string, driver.Driver) driver.Driver) (*sqlx.DB, error) {
	if wrap == nil {
		return sqlx.Open(name, dsn)
	}
	probe, err := sql.Open(name, dsn) // connects lazily: only to find the driver
	if err != nil {
		return nil, err
	}
	d := wrap(name, probe.Driver())
	probe.Close()
	if dc, ok := d.(driver.DriverContext); ok {
		c, err := dc.OpenConnector(dsn)
		if err != nil {
			return nil, err
		}
		return sqlx.NewDb(sql.OpenDB(c), name), nil
	}
	return sqlx.NewDb(sql.OpenDB(dsnConnector{dsn: dsn, d: d}), name), nil
}

// dsnConnector makes connections with a driver that has no connector of
// its own, as sql.Open does.
type dsnConnector struct {
	dsn string
	d   driver.Driver
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.d.Open(c.dsn) }

func (c dsnConnector) Driver() driver.Driver { return c.d }

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
