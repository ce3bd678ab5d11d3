// Package serving starts and stops the HTTP servers of the examples (the
// example server and the integration examples): the timeouts and size
// limits that cut slow or oversized clients off, the connection caps of
// ConnLimiter, and a graceful shutdown.
package serving

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Limits bound what one client can hold.
type Limits struct {
	// ReadHeaderTimeout, ReadTimeout and WriteTimeout are http.Server's.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout time.Duration
	// IdleTimeout is how long an idle keep-alive connection is kept.
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds the request headers.
	MaxHeaderBytes int
	// MaxConnections caps the connections held open (0: DefaultMaxConnections)
	// and MaxConnectionsPerIP those of one client address (0: no cap); see
	// ConnLimiter.
	MaxConnections, MaxConnectionsPerIP int
}

// DefaultLimits are the limits the examples start with: 5 s for the
// headers, 30 s to read a request and to write a response, 30 s idle,
// 32 KB of headers, and the connection cap of DefaultMaxConnections.
func DefaultLimits() Limits {
	return Limits{ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 30 * time.Second, MaxHeaderBytes: 32 << 10}
}

// NewServer returns a server for handler with the limits l, logging its own
// errors to logger at warning level.
func NewServer(handler http.Handler, logger *slog.Logger, l Limits) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		MaxHeaderBytes:    l.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// Serve serves srv on ln, behind a ConnLimiter with l's caps, until ctx
// ends; then it stops accepting, waits up to shutdownTimeout for requests
// in flight and returns nil. Requests see ctx's values but not its
// cancellation.
func Serve(ctx context.Context, ln net.Listener, srv *http.Server, l Limits, shutdownTimeout time.Duration, logger *slog.Logger) error {
	maxConns := l.MaxConnections
	if maxConns <= 0 {
		maxConns = DefaultMaxConnections()
	}
	limited := NewConnLimiter(ln, maxConns, l.MaxConnectionsPerIP)
	srv.ConnState = limited.ConnState
	srv.BaseContext = func(net.Listener) context.Context { return context.WithoutCancel(ctx) }
	logger.Info("listening", "addr", ln.Addr().String(),
		"max_connections", maxConns, "max_connections_per_ip", l.MaxConnectionsPerIP)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(limited) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "timeout", shutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
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
