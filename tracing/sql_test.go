package tracing_test

import (
	"context"
	"database/sql/driver"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/groundwork-go/groundwork/internal/database"
	"github.com/groundwork-go/groundwork/internal/testenv"
	"github.com/groundwork-go/groundwork/tracing"
)

// TestSQLSpans checks WrapSQLDriver through database.OpenWith: a client
// span per statement, a child of the caller's span, named after its first
// keyword, with the database system and the statement's text but not its
// arguments; the pool keeps its driver name (placeholders, dialect).
func TestSQLSpans(t *testing.T) {
	tr, rec, tp := newRecorded(t, tracing.Options{})
	var wrapped string
	db, err := database.OpenWith(context.Background(), testenv.DatabaseURL(t), database.Options{
		WrapDriver: func(name string, d driver.Driver) driver.Driver {
			wrapped = name
			return tr.WrapSQLDriver(name, d)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if wrapped != db.DriverName() {
		t.Fatalf("wrapped driver %q, pool driver %q", wrapped, db.DriverName())
	}
	system := map[database.Dialect]string{database.SQLite: "sqlite", database.Postgres: "postgresql"}[database.DialectOf(db)]

	ctx, parent := tp.Tracer("test").Start(context.Background(), "request")
	var n int
	const secret = 41
	if err := db.GetContext(ctx, &n, db.Rebind("SELECT 1 + ?"), secret); err != nil || n != 42 {
		t.Fatalf("SELECT = %d, %v; want 42", n, err)
	}
	parent.End()

	var query trace.SpanContext
	for _, s := range rec.Ended() {
		if s.Name() != "SELECT" {
			continue
		}
		query = s.SpanContext()
		sys, _ := attr(s, "db.system.name")
		text, _ := attr(s, "db.query.text")
		if sys.AsString() != system || text.AsString() != db.Rebind("SELECT 1 + ?") || s.SpanKind() != trace.SpanKindClient ||
			s.Parent().SpanID() != parent.SpanContext().SpanID() {
			t.Errorf("SELECT span: system %q text %q kind %v parent %s, want %q %q, a client child of the request",
				sys.AsString(), text.AsString(), s.SpanKind(), s.Parent().SpanID(), system, db.Rebind("SELECT 1 + ?"))
		}
		for _, kv := range s.Attributes() {
			if kv.Value.Emit() == "41" {
				t.Errorf("the SELECT span records the argument in %s", kv.Key)
			}
		}
	}
	if !query.IsValid() {
		t.Fatalf("spans = %v, want a SELECT span", names(rec.Ended()))
	}
}
