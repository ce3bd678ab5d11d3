package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/jmoiron/sqlx"
	"github.com/redis/rueidis"
	"go.opentelemetry.io/otel/trace"

	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/internal/database"
	"github.com/groundwork-go/groundwork/internal/redisconn"
	"github.com/groundwork-go/groundwork/ratelimit"
	"github.com/groundwork-go/groundwork/tracing"
)

// app holds the connected backends and the assembled handler.
type app struct {
	cfg    *config
	logger *slog.Logger
	db     *sqlx.DB
	redis  rueidis.Client // nil: in-process memory backends
	// limitRedis serves only rate-limit decisions (nil without Redis or
	// with rate limiting off), which the store sends in batches.
	limitRedis rueidis.Client
	mailer     *welcomeMailer     // nil: no email
	limiter    *ratelimit.Limiter // nil when rate limiting is off
	handler    http.Handler
	metrics    http.Handler    // set when METRICS_ADDR moves /metrics off the public listener
	tracer     *tracing.Tracer // nil: tracing off
	closed     sync.Once
}

// newApp connects the database (applying migrations) and Redis, then builds
// the routes. Spans go to tp; nil means tracing is off.
func newApp(ctx context.Context, cfg *config, logger *slog.Logger, tp trace.TracerProvider) (*app, error) {
	a := &app{cfg: cfg, logger: logger, tracer: newTracer(tp)}
	var dbOpts database.Options
	if a.tracer != nil {
		dbOpts.WrapDriver = a.tracer.WrapSQLDriver
	}
	db, err := database.OpenWith(ctx, cfg.DatabaseURL, dbOpts)
	if err != nil {
		return nil, err
	}
	a.db = db
	if cfg.RedisURL != "" {
		c, err := redisconn.Open(cfg.RedisURL)
		if err != nil {
			a.Close()
			return nil, err
		}
		if a.tracer != nil {
			// Not the limiter's client: its batches are sent apart from
			// the requests, whose "ratelimit.allow" spans cover them.
			c = a.tracer.Redis(c)
		}
		a.redis = c
		vctx, cancel := context.WithTimeout(ctx, healthTimeout)
		err = redisconn.CheckVersion(vctx, c)
		cancel()
		if err != nil {
			a.Close()
			return nil, err
		}
		if cfg.RateLimitEnabled {
			if a.limitRedis, err = redisconn.OpenUncached(cfg.RedisURL); err != nil {
				a.Close()
				return nil, err
			}
		}
	}
	if err := a.build(ctx); err != nil {
		a.Close()
		return nil, fmt.Errorf("assemble: %w", err)
	}
	return a, nil
}

// limiterStats returns the rate limiter's decision counters (zero when rate
// limiting is off).
func (a *app) limiterStats() ratelimit.Stats {
	if a.limiter == nil {
		return ratelimit.Stats{}
	}
	return a.limiter.Stats()
}

// Handler returns the whole HTTP surface with its middleware.
func (a *app) Handler() http.Handler { return a.handler }

// Close drains the email queue, then releases the backends.
func (a *app) Close() {
	a.closed.Do(func() {
		if a.mailer != nil {
			a.mailer.close(a.cfg.ShutdownTimeout)
		}
		if a.limitRedis != nil {
			a.limitRedis.Close()
		}
		if a.redis != nil {
			a.redis.Close()
		}
		if a.db != nil {
			a.db.Close()
		}
	})
}

func (a *app) healthChecks() []healthCheck {
	checks := []healthCheck{{name: "Database connection failed", ping: a.db.PingContext}}
	if a.redis != nil {
		checks = append(checks, healthCheck{name: "Redis connection failed", ping: func(ctx context.Context) error {
			return a.redis.Do(ctx, a.redis.B().Ping().Build()).Error()
		}})
	}
	return checks
}

// build wires the routes and the middleware stack.
func (a *app) build(ctx context.Context) error {
	c, err := a.newComponents(ctx)
	if err != nil {
		return err
	}
	a.mailer = c.mailer
	a.limiter = c.limiter
	mux := http.NewServeMux()
	c.routes(mux, handleHealth(a.healthChecks()))
	if c.metrics != nil && a.cfg.MetricsAddr != "" {
		a.metrics = c.metrics.Handler() // served on its own listener by run
	}
	a.handler = a.middleware(c.metrics)(httpx.JSONErrors(mux))
	return nil
}
