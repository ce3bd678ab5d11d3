package tracing_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/groundwork-go/groundwork/cache"
	"github.com/groundwork-go/groundwork/cache/cachetest"
	"github.com/groundwork-go/groundwork/internal/testenv"
	"github.com/groundwork-go/groundwork/tracing"
)

// TestRedisSpans checks the traced client: a client span per command or
// pipeline sent, a child of the caller's span, named after the command,
// with no key in it; a nil reply is no error, a Redis error is; a reply
// from client-side caching makes no span.
func TestRedisSpans(t *testing.T) {
	tr, rec, tp := newRecorded(t, tracing.Options{})
	srv := testenv.Redis(t)
	c := tr.Redis(srv.Client(t))
	key := srv.Prefix + "traced"
	ctx, parent := tp.Tracer("test").Start(context.Background(), "request")

	if err := c.Do(ctx, c.B().Set().Key(key).Value("v").Build()).Error(); err != nil {
		t.Fatal(err)
	}
	c.DoMulti(ctx, c.B().Get().Key(key).Build(), c.B().Get().Key(srv.Prefix+"missing").Build())
	c.Do(ctx, c.B().Incr().Key(key).Build()) // not an integer: an error
	var hits int
	for range 2 {
		r := c.DoCache(ctx, c.B().Get().Key(srv.Prefix+"cached").Cache(), time.Minute)
		if r.IsCacheHit() {
			hits++
		}
	}
	if err := c.Dedicated(func(d rueidis.DedicatedClient) error {
		return d.Do(ctx, d.B().Ping().Build()).Error()
	}); err != nil {
		t.Fatal(err)
	}
	parent.End()

	type span struct {
		name  string
		batch int64
		fail  bool
	}
	want := []span{{"SET", 0, false}, {"pipeline", 2, false}, {"INCR", 0, true}}
	for range 2 - hits {
		want = append(want, span{"GET", 0, false})
	}
	want = append(want, span{"PING", 0, false})
	spans := rec.Ended()
	spans = spans[:len(spans)-1] // the parent
	if len(spans) != len(want) {
		t.Fatalf("spans = %v, want %d (%d cache hits)", names(spans), len(want), hits)
	}
	for i, w := range want {
		s := spans[i]
		system, _ := attr(s, "db.system.name")
		op, _ := attr(s, "db.operation.name")
		batch, _ := attr(s, "db.operation.batch.size")
		if s.Name() != w.name || op.AsString() != w.name || system.AsString() != "redis" || batch.AsInt64() != w.batch ||
			(s.Status().Code == codes.Error) != w.fail || s.SpanKind() != trace.SpanKindClient ||
			s.Parent().SpanID() != parent.SpanContext().SpanID() {
			t.Errorf("span %d = %s op %q system %q batch %d status %v kind %v, want %s batch %d failed %v, a client child of the request",
				i+1, s.Name(), op.AsString(), system.AsString(), batch.AsInt64(), s.Status(), s.SpanKind(), w.name, w.batch, w.fail)
		}
		for _, kv := range s.Attributes() {
			if kv.Value.AsString() == key {
				t.Errorf("span %d records the key in %s", i+1, kv.Key)
			}
		}
	}
	if srv.Real && hits != 1 {
		t.Errorf("cache hits = %d on a real Redis, want 1 (the second read)", hits)
	}
}

// TestRedisPassesCacheSuite runs the cache conformance suite on a
// RedisStore over traced clients: tracing changes no answer (client-side
// caching, invalidation, tags and claims included).
func TestRedisPassesCacheSuite(t *testing.T) {
	tr, _, _ := newRecorded(t, tracing.Options{})
	cachetest.RunStoreTests(t, func(t *testing.T) cachetest.Backend {
		srv := testenv.Redis(t)
		opts := cache.RedisOptions{Prefix: srv.Prefix + "cache:"}
		b := cachetest.Backend{
			Store: cache.NewRedisStore(tr.Redis(srv.Client(t)), opts),
			Other: cache.NewRedisStore(tr.Redis(srv.Client(t)), opts),
		}
		if srv.Mini != nil {
			b.Advance = srv.Mini.FastForward
		}
		return b
	})
}
