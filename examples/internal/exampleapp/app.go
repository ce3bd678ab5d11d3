package exampleapp

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/groundwork-go/groundwork/auth"
	"github.com/groundwork-go/groundwork/examples/internal/otelsetup"
	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/internal/database"
	"github.com/groundwork-go/groundwork/metrics"
	"github.com/groundwork-go/groundwork/ratelimit"
	"github.com/groundwork-go/groundwork/tracehook"
	"github.com/groundwork-go/groundwork/tracing"
	"github.com/groundwork-go/groundwork/users"
)

// APIPrefix is the versioned base path of every example's routes.
const APIPrefix = "/api/v1"

// App is the assembled base of an example: configuration, logger, users
// database, authenticator, rate limits and the mux the example's routes go
// on.
type App struct {
	// Name names the example in logs and in the default database file.
	Name string
	// Env reads the example's own settings; check Env.Err before serving.
	Env *Env
	// Logger writes text logs to the writer given to New.
	Logger *slog.Logger
	// DB is the users database (DATABASE_URL), migrated; examples may add
	// their own tables to it.
	DB *sqlx.DB
	// Users is the password account service behind signup and login.
	Users *users.Service
	// Auth issues and checks the access and refresh tokens.
	Auth *auth.Authenticator
	// Mux holds the routes; New registers the account routes on it.
	Mux *http.ServeMux

	port    int
	metrics *metrics.Metrics // nil when METRICS_ENABLED=false
	limiter *ratelimit.Limiter
	tiers   ratelimit.Tiers
	trusted httpx.TrustedProxies
	tp      *sdktrace.TracerProvider // nil: tracing off
	tracer  *tracing.Tracer          // nil: tracing off
}

// New reads the common settings, opens and migrates the users database and
// registers the account routes. The settings, all optional:
//
//	PORT                  listening port (default given by the example; 0 picks one)
//	DATABASE_URL          postgres://… or sqlite:PATH (default sqlite:<name>.db)
//	SECRET_KEY            token signing secret, 32 bytes or more (default: random per process)
//	ACCESS_TOKEN_TTL      access token lifetime (default 15m)
//	REFRESH_TOKEN_TTL     refresh token lifetime (default 168h)
//	RATE_LIMIT_AUTH       signup/login requests per IP per minute (default 10)
//	RATE_LIMIT_IP         other unauthenticated requests per IP per minute (default 100)
//	RATE_LIMIT_USER       authenticated requests per user per minute (default 300)
//	TRUSTED_PROXIES       proxies whose X-Forwarded-For is believed (default none)
//	METRICS_ENABLED       "false" to drop the Prometheus metrics at GET /metrics (default true)
//	OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
//	                      an OTLP/HTTP collector: set → spans exported (default: tracing off)
//	OTEL_TRACES_EXPORTER  "otlp" → tracing on, "none" → off (default: on when an endpoint is set)
//	OTEL_SERVICE_NAME     service.name of the spans (default: the example's name)
//
// The caller closes the App.
func New(ctx context.Context, name string, defaultPort int, getenv func(string) string, logOut io.Writer) (*App, error) {
	env := NewEnv(getenv)
	a := &App{Name: name, Env: env, Logger: slog.New(slog.NewTextHandler(logOut, nil)), Mux: http.NewServeMux()}
	a.port = env.Int("PORT", defaultPort, 0, 65535)
	dbURL := env.String("DATABASE_URL", "sqlite:"+name+".db")
	secret := env.String("SECRET_KEY", "")
	accessTTL := env.Duration("ACCESS_TOKEN_TTL", 15*time.Minute)
	refreshTTL := env.Duration("REFRESH_TOKEN_TTL", 7*24*time.Hour)
	perIP := env.Int("RATE_LIMIT_IP", 100, 1, ratelimit.MaxLimit)
	a.tiers = ratelimit.NewTiers(env.Int("RATE_LIMIT_AUTH", 10, 1, ratelimit.MaxLimit), perIP, perIP,
		env.Int("RATE_LIMIT_USER", 300, 1, ratelimit.MaxLimit), time.Minute)
	trusted, err := httpx.ParseTrustedProxies(env.String("TRUSTED_PROXIES", ""))
	if err != nil {
		return nil, fmt.Errorf("TRUSTED_PROXIES: %w", err)
	}
	a.trusted = trusted
	if env.OneOf("METRICS_ENABLED", "true", "true", "false") == "true" {
		a.metrics = metrics.New(nil, metrics.Options{})
	}
	tracingOn := otelsetup.Enabled(env.OneOf("OTEL_TRACES_EXPORTER", "", "", "otlp", "none"),
		env.String("OTEL_EXPORTER_OTLP_ENDPOINT", ""), env.String("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", ""))
	serviceName := env.String("OTEL_SERVICE_NAME", name)
	if err := env.Err(); err != nil {
		return nil, err
	}
	if tracingOn {
		if a.tp, err = otelsetup.NewProvider(ctx, serviceName, ""); err != nil {
			return nil, err
		}
		a.tracer = tracing.New(a.tp, tracing.Options{})
	}
	if secret == "" {
		b := make([]byte, 32)
		rand.Read(b)
		secret = string(b)
		a.Logger.Warn("SECRET_KEY is not set: tokens are signed with a random key and die with the process")
	}
	var dbOpts database.Options
	if a.tracer != nil {
		dbOpts.WrapDriver = a.tracer.WrapSQLDriver
	}
	if a.DB, err = database.OpenWith(ctx, dbURL, dbOpts); err != nil {
		a.closeTracing()
		return nil, err
	}
	if err := a.assemble(ctx, secret, accessTTL, refreshTTL); err != nil {
		a.Close()
		return nil, err
	}
	a.Logger.Info("users database ready", "dialect", database.DialectOf(a.DB))
	return a, nil
}

// assemble builds the authenticator, user service and limiter and registers
// the account routes.
func (a *App) assemble(ctx context.Context, secret string, accessTTL, refreshTTL time.Duration) error {
	if err := users.Migrate(ctx, a.DB); err != nil {
		return err
	}
	key, err := auth.HS256Key("primary", []byte(secret))
	if err != nil {
		return fmt.Errorf("SECRET_KEY: %w", err)
	}
	tokens, err := auth.NewTokens(key, auth.TokenOptions{AccessTTL: accessTTL, RefreshTTL: refreshTTL})
	if err != nil {
		return err
	}
	// The service revokes tokens through the authenticator, and the
	// authenticator checks users through the service.
	subjects := &lateSubjects{}
	authOpts := auth.Options{Subjects: subjects, Logger: a.Logger}
	limitOpts := ratelimit.Options{Logger: a.Logger, Trace: a.traceHook()}
	if a.metrics != nil {
		authOpts.OnEvent, limitOpts.OnEvent = a.metrics.ObserveAuthEvent, a.metrics.ObserveRateLimitEvent
		a.Mux.Handle("GET /metrics", a.metrics.Handler())
	}
	a.Auth, err = auth.NewAuthenticator(tokens, users.NewSessions(a.DB),
		auth.NewMemoryRevocations(auth.MemoryRevocationOptions{}), authOpts)
	if err != nil {
		return err
	}
	if _, err := a.Auth.RestoreRevocations(ctx); err != nil {
		return err
	}
	a.Users = users.NewService(users.NewStore(a.DB), users.Options{Logger: a.Logger, Guard: a.Auth,
		Hasher: users.NewHasher(users.HasherOptions{Trace: a.traceHook()})})
	subjects.svc = a.Users
	a.limiter = ratelimit.New(ratelimit.NewMemoryStore(ratelimit.MemoryOptions{}), limitOpts)

	handlers := users.NewHandlers(a.Users, a.Auth, users.HandlerOptions{})
	a.Mux.Handle("GET /health", a.Limited(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})))
	a.Mux.Handle("POST "+APIPrefix+"/auth/signup", a.StrictlyLimited(handlers.Signup()))
	a.Mux.Handle("POST "+APIPrefix+"/auth/login", a.StrictlyLimited(a.Auth.LoginHandler(a.Users)))
	a.Mux.Handle("POST "+APIPrefix+"/auth/refresh", a.Limited(a.Auth.RefreshHandler()))
	a.Mux.Handle("POST "+APIPrefix+"/auth/logout", a.Authenticated(a.Auth.LogoutHandler()))
	return nil
}

// lateSubjects lets the authenticator check users through a service that
// is built after it.
type lateSubjects struct{ svc *users.Service }

func (s *lateSubjects) Exists(ctx context.Context, subject string) (bool, error) {
	return s.svc.Exists(ctx, subject)
}

// Authenticated requires a valid Groundwork access token and applies the
// per-user rate limit (RATE_LIMIT_USER).
func (a *App) Authenticated(h http.Handler) http.Handler {
	return a.Auth.Middleware(a.limiter.Middleware(a.tiers.User, ratelimit.ByUser(auth.SubjectFromRequest))(h))
}

// Limited applies the per-IP limit of unauthenticated routes (RATE_LIMIT_IP).
func (a *App) Limited(h http.Handler) http.Handler {
	return a.limiter.Middleware(a.tiers.Default, ratelimit.ByIP)(h)
}

// StrictlyLimited applies the per-IP limit of sign-in routes
// (RATE_LIMIT_AUTH).
func (a *App) StrictlyLimited(h http.Handler) http.Handler {
	return a.limiter.Middleware(a.tiers.Strict, ratelimit.ByIP)(h)
}

// UserID returns the local user id of the authenticated caller. Only a
// Groundwork access token names a local user; the second result is false
// for any other identity.
func UserID(r *http.Request) (int64, bool) {
	id, ok := auth.FromContext(r.Context())
	if !ok || id.Claims == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(id.Subject, 10, 64)
	return n, err == nil && n > 0
}

// Handler returns the mux behind the standard middleware stack: request id,
// client IP, access log, panic recovery, the metrics middleware (inside
// Recover, so it sees route patterns and recovered 500s) and JSON errors for
// the mux's own 404 and 405 answers.
func (a *App) Handler() http.Handler {
	mw := []httpx.Middleware{httpx.RequestID}
	if a.tracer != nil {
		mw = append(mw, a.tracer.Middleware)
	}
	mw = append(mw,
		httpx.ClientIP(a.trusted),
		httpx.AccessLog(a.Logger, httpx.AccessLogOptions{}),
		httpx.Recover,
	)
	if a.metrics != nil {
		mw = append(mw, a.metrics.Middleware)
	}
	return httpx.Chain(append(mw, httpx.JSONErrors)...)(a.Mux)
}

// Close closes the database and flushes the spans not yet exported.
func (a *App) Close() error {
	err := a.DB.Close()
	a.closeTracing()
	return err
}

// closeTracing flushes the spans not yet exported, if tracing is on.
func (a *App) closeTracing() {
	if a.tp != nil {
		if err := otelsetup.Shutdown(a.tp, 5*time.Second); err != nil {
			a.Logger.Warn("tracing: flushing spans at exit failed", "err", err)
		}
	}
}

// traceHook is the tracehook.Start of the library's options: nil when
// tracing is off, so the hooks cost one nil check.
func (a *App) traceHook() tracehook.Start { return otelsetup.Hook(a.tracer) }

// HTTPClient returns the client an example gives its service layer for
// outbound calls, bounded by timeout: traced when tracing is on, nil (the
// service layer's default client) when it is off.
func (a *App) HTTPClient(timeout time.Duration) *http.Client {
	return otelsetup.Client(a.tracer, timeout)
}

// Transport returns the transport an example gives a service layer that
// takes one: traced when tracing is on, nil (the default) when it is off.
func (a *App) Transport() http.RoundTripper {
	if a.tracer == nil {
		return nil
	}
	return a.tracer.Transport(nil)
}

// UserHandler is a handler that needs the caller's local user id.
type UserHandler func(w http.ResponseWriter, r *http.Request, userID int64)

// ForUser adapts fn to http.Handler: it answers 401 in the standard envelope
// when the request carries no Groundwork identity (fn is meant to sit behind
// Authenticated, so this happens only when it is mounted without it).
func ForUser(fn UserHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := UserID(r)
		if !ok {
			httpx.WriteError(w, r, httpx.Unauthorized("a Groundwork access token is required"))
			return
		}
		fn(w, r, id)
	})
}
