package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Server limits: slow or oversized clients are cut off instead of holding
// connections open. They are variables only so that tests can shorten them.
var (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 30 * time.Second
	maxHeaderBytes    = 32 << 10
)

// newHTTPServer returns a server with the limits above, so slow or
// oversized clients are cut off on every listener.
func newHTTPServer(handler http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// serve listens on cfg.Port and serves handler until ctx is cancelled, then
// stops accepting connections and waits up to cfg.ShutdownTimeout for
// in-flight requests to finish.
func serve(ctx context.Context, cfg *config, handler http.Handler, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(cfg.Port))
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	maxConns := cfg.MaxConnections
	if maxConns <= 0 {
		maxConns = defaultMaxConnections()
	}
	limited := newConnLimiter(ln, maxConns, cfg.MaxConnectionsPerIP)
	srv := newHTTPServer(handler, logger)
	if cfg.IdleTimeout > 0 {
		srv.IdleTimeout = cfg.IdleTimeout
	}
	srv.ConnState = limited.ConnState
	srv.BaseContext = func(net.Listener) context.Context { return context.WithoutCancel(ctx) }
	logger.Info("listening", "addr", ln.Addr().String(), "environment", cfg.Environment,
		"max_connections", maxConns, "max_connections_per_ip", cfg.MaxConnectionsPerIP)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(limited) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "timeout", cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("stopped")
	return nil
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
