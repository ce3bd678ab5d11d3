package users_test

import (
	"context"
	"testing"

	"github.com/groundwork-go/groundwork/internal/testenv"
	"github.com/groundwork-go/groundwork/users"
	"github.com/groundwork-go/groundwork/users/userstest"
)

// newTestStore returns a migrated SQLStore on the test's database:
// PostgreSQL when DATABASE_URL is set, else a temporary SQLite file.
func newTestStore(t testing.TB) *users.SQLStore {
	t.Helper()
	db := testenv.DB(t)
	if err := users.Migrate(context.Background(), db); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return users.NewStore(db)
}

func TestSQLStore(t *testing.T) {
	userstest.RunStoreTests(t, func(t *testing.T) users.Store { return newTestStore(t) })
}
