// Command server is Groundwork's example server: it assembles the library's
// packages into the documented /api/v1 API.
//
//	go run ./examples/server
//
// serves on :8799 with embedded defaults (SQLite file, in-process memory
// backends). Set DATABASE_URL and REDIS_URL to use PostgreSQL and Redis; see
// the README for every variable.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"go.opentelemetry.io/otel/trace"
)

// version is reported by /health.
const version = "0.1.0"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

// run loads the configuration, connects the backends, serves until ctx is
// cancelled and then shuts down gracefully. Logs go to stdout.
func run(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stdout)
	if cfg.SecretGenerated {
		logger.Warn("SECRET_KEY is not set: using a random key for this process; tokens will not survive a restart")
	}
	if cfg.Environment == "production" && slices.Contains(cfg.CORSOrigins, "*") {
		logger.Warn("CORS_ORIGINS is *: any site may call the API, without credentials (Access-Control-Allow-Origin: *); list the origins to allow credentialed requests")
	}
	tp, err := newTracerProvider(ctx, cfg)
	if err != nil {
		return err
	}
	var provider trace.TracerProvider // nil: tracing off
	if tp != nil {
		provider = tp
		defer func() {
			if err := shutdownTracing(tp, cfg.ShutdownTimeout); err != nil {
				logger.Error("tracing: spans not all exported before shutdown", "err", err)
			}
		}()
	}
	app, err := newApp(ctx, cfg, logger, provider)
	if err != nil {
		return err
	}
	defer app.Close()
	if cfg.MetricsAddr != "" && app.metrics != nil {
		_, stop, err := startMetricsListener(cfg.MetricsAddr, app.metrics, logger)
		if err != nil {
			return err
		}
		defer stop()
	}
	return serve(ctx, cfg, app.Handler(), logger)
}
