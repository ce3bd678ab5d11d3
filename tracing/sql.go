package tracing

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"
	"unicode"

	"github.com/XSAM/otelsql"
	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// WrapSQLDriver returns d with a client span per query, statement and
// transaction step (otelsql), named after the statement's first keyword
// ("SELECT", "INSERT") or the step ("sql.tx.commit"), with the statement's
// text (its placeholders, never the argument values) as db.query.text.
// name is the driver's registered name: "postgres" and "pgx" are recorded
// as PostgreSQL and "sqlite" and "sqlite3" as SQLite. Pings, row iteration
// and the connection resets of database/sql make no spans. Its signature
// is that of the option that wraps the driver of the database an
// application opens.
func (t *Tracer) WrapSQLDriver(name string, d driver.Driver) driver.Driver {
	return otelsql.WrapDriver(d, t.sqlOptions(name)...)
}

// OpenSQL opens a pool of the registered driver name (as sql.Open does)
// whose statements are traced as WrapSQLDriver says; with sqlx,
// sqlx.NewDb(db, name) keeps the driver's placeholders.
func (t *Tracer) OpenSQL(name, dsn string) (*sql.DB, error) {
	return otelsql.Open(name, dsn, t.sqlOptions(name)...)
}

// sqlOptions configure otelsql for the driver name.
func (t *Tracer) sqlOptions(name string) []otelsql.Option {
	opts := []otelsql.Option{
		otelsql.WithTracerProvider(t.provider),
		otelsql.WithSpanNameFormatter(sqlSpanName),
		otelsql.WithSpanOptions(otelsql.SpanOptions{OmitConnResetSession: true, OmitRows: true, DisableErrSkip: true}),
	}
	if system, ok := dbSystems[name]; ok {
		opts = append(opts, otelsql.WithAttributes(system))
	}
	return opts
}

// dbSystems are the db.system.name of the drivers Groundwork uses.
var dbSystems = map[string]attribute.KeyValue{
	"postgres": semconv.DBSystemNamePostgreSQL,
	"pgx":      semconv.DBSystemNamePostgreSQL,
	"sqlite":   semconv.DBSystemNameSQLite,
	"sqlite3":  semconv.DBSystemNameSQLite,
}

// sqlKeywords are the statement keywords a span may be named after; other
// statements are named after the database/sql method, so that names stay
// a bounded set.
var sqlKeywords = map[string]bool{
	"SELECT": true, "INSERT": true, "UPDATE": true, "DELETE": true, "WITH": true,
	"BEGIN": true, "COMMIT": true, "ROLLBACK": true, "CREATE": true, "ALTER": true, "DROP": true,
}

// sqlSpanName names a span after the statement's first keyword.
func sqlSpanName(_ context.Context, method otelsql.Method, query string) string {
	q := strings.TrimSpace(query)
	if end := strings.IndexFunc(q, unicode.IsSpace); end >= 0 {
		q = q[:end]
	}
	if word := strings.ToUpper(q); sqlKeywords[word] {
		return word
	}
	return string(method)
}
