package users_test

import (
	"context"
	"sync"
	"testing"

	"github.com/groundwork-go/groundwork/internal/database"
	"github.com/groundwork-go/groundwork/internal/testenv"
	"github.com/groundwork-go/groundwork/users"
)

func TestMigrateIsIdempotent(t *testing.T) {
	ctx := context.Background()
	url := testenv.DatabaseURL(t)
	db, err := database.Open(ctx, url)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	for i := range 3 {
		if err := users.Migrate(ctx, db); err != nil {
			t.Fatalf("Migrate #%d: %v", i+1, err)
		}
	}
	assertMigratedOnce(t, url)
}

// TestMigrateConcurrently runs Migrate from two connection pools (standing
// in for two processes starting at once) on one fresh database; both must
// succeed and the schema must be applied exactly once.
func TestMigrateConcurrently(t *testing.T) {
	ctx := context.Background()
	url := testenv.DatabaseURL(t)
	for round := range 5 {
		if round > 0 {
			url = testenv.DatabaseURL(t)
		}
		var (
			errs  [2]error
			wg    sync.WaitGroup
			start = make(chan struct{})
		)
		for i := range 2 {
			db, err := database.Open(ctx, url)
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			t.Cleanup(func() { db.Close() })
			// Hold a connection open so both pools are connected before
			// the race starts.
			if err := db.PingContext(ctx); err != nil {
				t.Fatalf("ping: %v", err)
			}
			wg.Go(func() {
				<-start
				errs[i] = users.Migrate(ctx, db)
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d: Migrate from process %d: %v", round, i, err)
			}
		}
		assertMigratedOnce(t, url)
	}
}

func assertMigratedOnce(t *testing.T, url string) {
	t.Helper()
	ctx := context.Background()
	db, err := database.Open(ctx, url)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer db.Close()
	var n int
	if err := db.GetContext(ctx, &n, "SELECT COUNT(*) FROM schema_migrations WHERE component = 'users'"); err != nil {
		t.Fatalf("count migrations: %v", err)
	}
	if want := users.MigrationCount(database.DialectOf(db)); n != want {
		t.Errorf("recorded migrations = %d, want %d", n, want)
	}
	if err := db.GetContext(ctx, &n, "SELECT COUNT(*) FROM users"); err != nil {
		t.Errorf("users table not usable: %v", err)
	}
}
