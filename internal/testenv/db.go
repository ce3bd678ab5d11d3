package testenv

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/groundwork-go/groundwork/internal/database"
)

// DatabaseURL returns a database URL private to the test: with DATABASE_URL
// set to PostgreSQL, a fresh schema (selected with search_path) that is
// dropped when the test ends; otherwise an SQLite file in t.TempDir().
func DatabaseURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("DATABASE_URL")
	if base == "" || strings.HasPrefix(base, "sqlite:") {
		return "sqlite:" + filepath.Join(t.TempDir(), "test.db")
	}
	schema := "gwtest_" + strings.ReplaceAll(strings.TrimPrefix(uniquePrefix(), "gwtest:"), ":", "")
	admin := openDB(t, base)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("testenv: create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("testenv: drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("testenv: DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// DB returns an open database private to the test (see DatabaseURL), closed
// when the test ends.
func DB(t testing.TB) *sqlx.DB {
	t.Helper()
	db := openDB(t, DatabaseURL(t))
	t.Cleanup(func() { db.Close() })
	return db
}

// UsingPostgres reports whether DB and DatabaseURL give PostgreSQL.
func UsingPostgres() bool {
	u := os.Getenv("DATABASE_URL")
	return u != "" && !strings.HasPrefix(u, "sqlite:")
}

func openDB(t testing.TB, rawURL string) *sqlx.DB {
	t.Helper()
	db, err := database.Open(context.Background(), rawURL)
	if err != nil {
		t.Fatalf("testenv: %v", fmt.Errorf("open %s database: %w", redact(rawURL), err))
	}
	return db
}

func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
