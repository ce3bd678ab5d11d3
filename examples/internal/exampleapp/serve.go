package exampleapp

import (
	"context"
	"fmt"
	"github.com/groundwork-go/groundwork/examples/internal/serving"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// ShutdownTimeout bounds how long Serve waits for requests in flight once
// its context ends.
const ShutdownTimeout = 10 * time.Second

// Listen opens the example's TCP listener on PORT.
func (a *App) Listen() (net.Listener, error) {
	return net.Listen("tcp", ":"+strconv.Itoa(a.port))
}

// Serve serves Handler on ln until ctx ends, then shuts down gracefully:
// it stops accepting, waits up to ShutdownTimeout for requests in flight
// and returns nil. It closes ln.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	l := serving.DefaultLimits()
	logger := a.Logger.With("example", a.Name)
	return serving.Serve(ctx, ln, serving.NewServer(a.Handler(), logger, l), l, ShutdownTimeout, logger)
}

// Setup mounts an example's own routes (and whatever they need) on the
// shared base.
type Setup func(ctx context.Context, app *App) error

// Build is New followed by setup; the App is closed again when setup
// fails.
func Build(ctx context.Context, name string, defaultPort int, getenv func(string) string, logOut io.Writer, setup Setup) (*App, error) {
	app, err := New(ctx, name, defaultPort, getenv, logOut)
	if err != nil {
		return nil, err
	}
	if err := setup(ctx, app); err != nil {
		app.Close()
		return nil, err
	}
	return app, nil
}

// Main builds an example from the process environment, serves it until
// SIGINT or SIGTERM and exits with status 1 and the error when it fails.
func Main(name string, defaultPort int, setup Setup) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, name, defaultPort, setup); err != nil {
		stop()
		fmt.Fprintf(os.Stderr, "%s example: %v\n", name, err)
		os.Exit(1)
	}
}

func run(ctx context.Context, name string, defaultPort int, setup Setup) error {
	app, err := Build(ctx, name, defaultPort, os.Getenv, os.Stdout, setup)
	if err != nil {
		return err
	}
	defer app.Close()
	ln, err := app.Listen()
	if err != nil {
		return err
	}
	return app.Serve(ctx, ln)
}
