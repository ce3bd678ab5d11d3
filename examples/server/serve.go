package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/groundwork-go/groundwork/examples/internal/serving"
)

// limits are the server's: slow or oversized clients are cut off instead of
// holding connections open. A variable only so that tests can shorten it.
var limits = serving.DefaultLimits()

// newHTTPServer returns a server with the limits above, so slow or
// oversized clients are cut off on every listener.
func newHTTPServer(handler http.Handler, logger *slog.Logger) *http.Server {
	return serving.NewServer(handler, logger, limits)
}

// serve listens on cfg.Port and serves handler until ctx is cancelled, then
// stops accepting connections and waits up to cfg.ShutdownTimeout for
// in-flight requests to finish. Connections are capped by MAX_CONNECTIONS
// and MAX_CONNECTIONS_PER_IP (serving.ConnLimiter).
func serve(ctx context.Context, cfg *config, handler http.Handler, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(cfg.Port))
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	l := limits
	if cfg.IdleTimeout > 0 {
		l.IdleTimeout = cfg.IdleTimeout
	}
	l.MaxConnections, l.MaxConnectionsPerIP = cfg.MaxConnections, cfg.MaxConnectionsPerIP
	return serving.Serve(ctx, ln, serving.NewServer(handler, logger, l), l, cfg.ShutdownTimeout,
		logger.With("environment", cfg.Environment))
}

// startMetricsListener serves the metrics handler on its own address (off
// the public listener) until the returned stop function is called.
// It returns the address it listens on.
func startMetricsListener(addr string, handler http.Handler, logger *slog.Logger) (bound string, stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("metrics listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", handler)
	srv := newHTTPServer(mux, logger)
	logger.Info("metrics listening", "addr", ln.Addr().String())
	go srv.Serve(ln)
	return ln.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}
