package users

import "github.com/groundwork-go/groundwork/internal/database"

// Derivations reports how many argon2 computations h has run.
func Derivations(h *Hasher) int64 { return h.derivations.Load() }

// MigrationCount reports how many embedded migrations the dialect has.
func MigrationCount(dialect database.Dialect) int {
	m, err := loadMigrations(sqlDialect(dialect))
	if err != nil {
		panic(err)
	}
	return len(m)
}
