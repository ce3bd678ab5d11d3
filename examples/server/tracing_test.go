package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/groundwork-go/groundwork/internal/testenv"
)

// tracedServer is the example server with its spans recorded as they end.
type tracedServer struct {
	t   *testing.T
	app *app
	h   http.Handler
	rec *tracetest.SpanRecorder
}

func startTraced(t *testing.T, env map[string]string) *tracedServer {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })
	s := startTracedServer(t, env, tp)
	return &tracedServer{t: t, app: s.app, h: s.app.Handler(), rec: rec}
}

// call serves one request in process: its spans have all ended when call
// returns.
func (s *tracedServer) call(method, path, token, form string, header ...string) *httptest.ResponseRecorder {
	s.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(form))
	req.RemoteAddr = "192.0.2.10:40000"
	if form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec
}

// signup creates a user and returns its access token.
func (s *tracedServer) signup(name string) string {
	s.t.Helper()
	rec := s.call("POST", "/api/v1/auth/signup", "", signupValues(name).Encode())
	var pair struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &pair); err != nil || rec.Code != http.StatusCreated {
		s.t.Fatalf("signup %s: %d %s", name, rec.Code, rec.Body)
	}
	return pair.AccessToken
}

// spanTree is the spans of one request: its server span and, by parent,
// the spans under it.
type spanTree struct {
	root     sdktrace.ReadOnlySpan
	children map[trace.SpanID][]sdktrace.ReadOnlySpan
}

// requestTree returns the tree of the last request named name among spans,
// failing the test unless every span of that trace hangs from its server
// span.
func requestTree(t *testing.T, spans []sdktrace.ReadOnlySpan, name string) spanTree {
	t.Helper()
	tree := spanTree{children: map[trace.SpanID][]sdktrace.ReadOnlySpan{}}
	for _, s := range spans {
		if s.Name() == name && s.SpanKind() == trace.SpanKindServer {
			tree.root = s
		}
	}
	if tree.root == nil {
		t.Fatalf("no server span %q among %v", name, spanNames(spans))
	}
	inTrace := map[trace.SpanID]bool{tree.root.SpanContext().SpanID(): true}
	var members []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.SpanContext().TraceID() == tree.root.SpanContext().TraceID() && s != tree.root {
			members = append(members, s)
			inTrace[s.SpanContext().SpanID()] = true
		}
	}
	for _, s := range members {
		if !inTrace[s.Parent().SpanID()] {
			t.Errorf("span %s of the request's trace hangs from no span of it", s.Name())
		}
		tree.children[s.Parent().SpanID()] = append(tree.children[s.Parent().SpanID()], s)
	}
	return tree
}

// under returns the spans directly under s, apart from database spans
// (SQL, and Redis when redis is true), in the order they started, and the
// database spans apart.
func (tr spanTree) under(s sdktrace.ReadOnlySpan, redis bool) (names []string, db []sdktrace.ReadOnlySpan) {
	kids := slices.Clone(tr.children[s.SpanContext().SpanID()])
	slices.SortFunc(kids, func(a, b sdktrace.ReadOnlySpan) int { return a.StartTime().Compare(b.StartTime()) })
	for _, k := range kids {
		switch system := attrString(k, "db.system.name"); {
		case system == "sqlite" || system == "postgresql" || (redis && system == "redis"):
			db = append(db, k)
		default:
			names = append(names, k.Name())
		}
	}
	return names, db
}

// child returns the first span named name directly under the root.
func (tr spanTree) child(t *testing.T, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	for _, k := range tr.children[tr.root.SpanContext().SpanID()] {
		if k.Name() == name {
			return k
		}
	}
	t.Fatalf("no span %s under %s", name, tr.root.Name())
	return nil
}

func attrString(s sdktrace.ReadOnlySpan, key string) string {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value.Emit()
		}
	}
	return ""
}

func spanNames(spans []sdktrace.ReadOnlySpan) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.Name()
	}
	return out
}

// wantDecision checks a ratelimit.allow span.
func wantDecision(t *testing.T, s sdktrace.ReadOnlySpan, policy, outcome string) {
	t.Helper()
	if got := attrString(s, "groundwork.ratelimit.policy"); got != policy {
		t.Errorf("decision policy = %q, want %q", got, policy)
	}
	if got := attrString(s, "groundwork.ratelimit.outcome"); got != outcome {
		t.Errorf("decision outcome = %q, want %q", got, outcome)
	}
}

// TestTraceOfSignup checks the span tree of a signup: the request span,
// named by its route, with the strict tier's decision, the password hash
// and the SQL statements that create the user and its session directly
// under it.
func TestTraceOfSignup(t *testing.T) {
	s := startTraced(t, nil)
	s.signup("traced")
	tree := requestTree(t, s.rec.Ended(), "POST /api/v1/auth/signup")
	if got := attrString(tree.root, "http.response.status_code"); got != "201" {
		t.Errorf("request span status = %s, want 201", got)
	}
	names, db := tree.under(tree.root, testenv.UsingRealRedis())
	if want := []string{"ratelimit.allow", "argon2id.hash"}; !slices.Equal(names, want) {
		t.Errorf("under the request: %v (and %d database spans), want %v", names, len(db), want)
	}
	wantDecision(t, tree.child(t, "ratelimit.allow"), "strict", "allowed")
	var inserts int
	for _, d := range db {
		if d.Name() == "INSERT" {
			inserts++
		}
	}
	if inserts < 2 {
		t.Errorf("SQL under the request: %v, want the user's and the session's INSERT", spanNames(db))
	}
	for _, leaf := range []string{"ratelimit.allow", "argon2id.hash"} {
		if kids := tree.children[tree.child(t, leaf).SpanContext().SpanID()]; len(kids) != 0 {
			t.Errorf("under %s: %v, want nothing (no wait for a hashing slot)", leaf, spanNames(kids))
		}
	}
}

// TestTraceOfWarmMe checks the span tree of GET /users/me once the token's
// checks and the profile are warm: the user tier's decision (and, on
// Redis, the revocation check) and no SQL.
func TestTraceOfWarmMe(t *testing.T) {
	s := startTraced(t, nil)
	token := s.signup("warm")
	for range 2 {
		if rec := s.call("GET", "/api/v1/users/me", token, ""); rec.Code != http.StatusOK {
			t.Fatalf("warm-up: %d %s", rec.Code, rec.Body)
		}
	}
	s.rec.Reset()
	if rec := s.call("GET", "/api/v1/users/me", token, ""); rec.Code != http.StatusOK {
		t.Fatalf("GET /users/me: %d %s", rec.Code, rec.Body)
	}
	spans := s.rec.Ended()
	tree := requestTree(t, spans, "GET /api/v1/users/me")
	redis := testenv.UsingRealRedis()
	names, db := tree.under(tree.root, redis)
	want := []string{"ratelimit.allow"}
	if redis {
		want = []string{"auth.revocation_check", "ratelimit.allow"}
	}
	if !slices.Equal(names, want) {
		t.Errorf("under the request: %v, want %v", names, want)
	}
	for _, d := range db {
		if system := attrString(d, "db.system.name"); system != "redis" {
			t.Errorf("a warm request ran %s on %s", d.Name(), system)
		}
	}
	wantDecision(t, tree.child(t, "ratelimit.allow"), "user", "allowed")
	if !redis && len(spans) != 2 {
		t.Errorf("spans = %v, want the request and its decision", spanNames(spans))
	}
}

// TestTraceOf429 checks the span tree of a request the strict tier denies:
// the denial and nothing else (no hashing, no SQL).
func TestTraceOf429(t *testing.T) {
	s := startTraced(t, map[string]string{"RATE_LIMIT_STRICT": "1"})
	s.signup("first")
	s.rec.Reset()
	if rec := s.call("POST", "/api/v1/auth/signup", "", signupValues("second").Encode()); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("second signup: %d %s, want 429", rec.Code, rec.Body)
	}
	spans := s.rec.Ended()
	tree := requestTree(t, spans, "POST /api/v1/auth/signup")
	if got := attrString(tree.root, "http.response.status_code"); got != "429" {
		t.Errorf("request span status = %s, want 429", got)
	}
	if len(spans) != 2 {
		t.Fatalf("spans = %v, want the request and its denial", spanNames(spans))
	}
	wantDecision(t, tree.child(t, "ratelimit.allow"), "strict", "denied")
	if got := attrString(tree.child(t, "ratelimit.allow"), "groundwork.ratelimit.allowed"); got != "false" {
		t.Errorf("allowed = %s, want false", got)
	}
}

// TestTraceContinuesClientTraceparent checks that a client's W3C
// traceparent is the parent of the request span, and that the spans under
// it stay in the client's trace.
func TestTraceContinuesClientTraceparent(t *testing.T) {
	s := startTraced(t, nil)
	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	s.call("GET", "/health", "", "", "Traceparent", "00-"+traceID+"-"+parentID+"-01")
	spans := s.rec.Ended()
	tree := requestTree(t, spans, "GET /health")
	if got := tree.root.Parent(); got.TraceID().String() != traceID || got.SpanID().String() != parentID || !got.IsRemote() {
		t.Errorf("request span's parent = %s/%s, want the client's %s/%s", got.TraceID(), got.SpanID(), traceID, parentID)
	}
	names, _ := tree.under(tree.root, true)
	if !slices.Equal(names, []string{"ratelimit.allow"}) {
		t.Errorf("under the request: %v, want [ratelimit.allow]", names)
	}
}

// TestTracingOffRecordsNothing checks that with tracing off (no OTLP
// endpoint) the server reports nothing, even to a global provider that
// would record.
func TestTracingOffRecordsNothing(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	t.Cleanup(func() {
		otel.SetTracerProvider(prev)
		tp.Shutdown(context.Background())
	})
	srv := startServer(t, nil)
	if srv.app.tracer != nil {
		t.Fatal("tracing is on without an OTLP endpoint")
	}
	s := &tracedServer{t: t, app: srv.app, h: srv.app.Handler(), rec: rec}
	token := s.signup("untraced")
	s.call("GET", "/api/v1/users/me", token, "")
	if started, ended := len(rec.Started()), rec.Ended(); started != 0 || len(ended) != 0 {
		t.Errorf("started %d spans and ended %v with tracing off", started, spanNames(ended))
	}
}

// TestTraceOfWelcomeEmail checks the outbound call of a service layer: the
// welcome email's request to the provider is a client span whose trace
// context reaches the provider (the queue sends it after the signup, in a
// trace of its own).
func TestTraceOfWelcomeEmail(t *testing.T) {
	var mu sync.Mutex
	var sent []string
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		sent = append(sent, r.Header.Get("Traceparent"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"49a3999c-0ce1-4ea6-ab68-afcd6dc2e794"}`)
	}))
	t.Cleanup(provider.Close)
	s := startTraced(t, map[string]string{"MAIL_PROVIDER": "resend", "MAIL_API_KEY": "re_test_key",
		"MAIL_FROM": "Groundwork <hello@example.com>", "MAIL_BASE_URL": provider.URL})
	s.signup("mailed")
	s.app.Close() // drains the queue: the email has been sent
	var client []sdktrace.ReadOnlySpan
	for _, span := range s.rec.Ended() {
		if span.SpanKind() == trace.SpanKindClient && attrString(span, "db.system.name") == "" {
			client = append(client, span)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(client) != 1 || len(sent) != 1 {
		t.Fatalf("client spans %v, requests %d; want one of each", spanNames(client), len(sent))
	}
	c := client[0].SpanContext()
	if want := "00-" + c.TraceID().String() + "-" + c.SpanID().String() + "-01"; sent[0] != want || client[0].Name() != "HTTP POST" {
		t.Errorf("span %s, traceparent sent %q; want HTTP POST and %q", client[0].Name(), sent[0], want)
	}
}
