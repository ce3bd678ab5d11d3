package users

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

//go:embed migrations
var migrationFiles embed.FS

// migrationComponent names this package's rows in schema_migrations, which
// other packages may share.
const migrationComponent = "users"

// migrationLockKey is the first half of the PostgreSQL advisory lock key that
// serialises Migrate; the second half is a hash of the current schema, so
// databases in different schemas migrate independently.
const migrationLockKey = 0x47570001

// migrationsTable creates the bookkeeping table, per dialect.
var migrationsTable = map[sqlDialect]string{
	dialectPostgres: `CREATE TABLE IF NOT EXISTS schema_migrations (
		component  TEXT        NOT NULL,
		version    INTEGER     NOT NULL,
		applied_at TIMESTAMPTZ NOT NULL,
		PRIMARY KEY (component, version))`,
	dialectSQLite: `CREATE TABLE IF NOT EXISTS schema_migrations (
		component  TEXT      NOT NULL,
		version    INTEGER   NOT NULL,
		applied_at TIMESTAMP NOT NULL,
		PRIMARY KEY (component, version))`,
}

// migration is one embedded schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// Migrate brings db's users schema up to date, applying the embedded
// migrations not yet recorded in the schema_migrations table, all in one
// transaction. It is safe to call from several processes at once: on
// PostgreSQL a transaction-scoped advisory lock serialises them, on SQLite
// the immediate write transaction does.
func Migrate(ctx context.Context, db *sqlx.DB) error {
	dialect := dialectOf(db)
	migrations, err := loadMigrations(dialect)
	if err != nil {
		return fmt.Errorf("users: migrate: %w", err)
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("users: migrate: begin: %w", err)
	}
	defer tx.Rollback()
	if err := lockMigrations(ctx, tx, dialect); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, migrationsTable[dialect]); err != nil {
		return fmt.Errorf("users: migrate: create schema_migrations: %w", err)
	}
	var applied []int
	if err := tx.SelectContext(ctx, &applied, tx.Rebind(
		"SELECT version FROM schema_migrations WHERE component = ?"), migrationComponent); err != nil {
		return fmt.Errorf("users: migrate: read versions: %w", err)
	}
	done := make(map[int]bool, len(applied))
	for _, v := range applied {
		done[v] = true
	}
	for _, m := range migrations {
		if done[m.version] {
			continue
		}
		if err := applyMigration(ctx, tx, m); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("users: migrate: commit: %w", err)
	}
	return nil
}

func lockMigrations(ctx context.Context, tx *sqlx.Tx, dialect sqlDialect) error {
	if dialect != dialectPostgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx,
		"SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))", migrationLockKey); err != nil {
		return fmt.Errorf("users: migrate: lock: %w", err)
	}
	return nil
}

func applyMigration(ctx context.Context, tx *sqlx.Tx, m migration) error {
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("users: migrate: apply %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(
		"INSERT INTO schema_migrations (component, version, applied_at) VALUES (?, ?, ?)"),
		migrationComponent, m.version, time.Now().UTC()); err != nil {
		return fmt.Errorf("users: migrate: record %s: %w", m.name, err)
	}
	return nil
}

// loadMigrations reads migrations/<dialect>/NNNN_name.sql in version order.
func loadMigrations(dialect sqlDialect) ([]migration, error) {
	dir := path.Join("migrations", string(dialect))
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("no migrations for dialect %s: %w", dialect, err)
	}
	var out []migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		prefix, _, _ := strings.Cut(e.Name(), "_")
		version, err := strconv.Atoi(prefix)
		if err != nil || version <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive version number", e.Name())
		}
		body, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: version, name: e.Name(), sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share version %d", out[i-1].name, out[i].name, out[i].version)
		}
	}
	return out, nil
}

// sqlDialect names the SQL dialect of a database: the name of the
// migrations directory for it.
type sqlDialect string

// The dialects the store supports.
const (
	dialectPostgres sqlDialect = "postgres"
	dialectSQLite   sqlDialect = "sqlite"
)

// dialectOf judges db's dialect by its driver name, without importing the
// drivers, so that users links neither of them.
func dialectOf(db *sqlx.DB) sqlDialect {
	if db.DriverName() == "postgres" {
		return dialectPostgres
	}
	return dialectSQLite
}
