package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/groundwork-go/groundwork/users"
)

// bareProfile is what the bare handler serves: a users.User, the type
// GET /api/v1/users/me serialises.
var bareProfile = users.User{
	ID: 1, Username: "loadtest", Email: "loadtest@example.com", FirstName: "Load", LastName: "Test",
	CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), UpdatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
}

// bareHandler writes the profile as JSON the way the example server does
// (encoding/json, Content-Type application/json), with no middleware,
// authentication, rate limiting or cache: the ceiling of net/http.
func bareHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/users/me", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(bareProfile)
	})
	return mux
}

// serveBare listens on addr (loopback only) and serves bareHandler until
// the process is stopped. It prints "listening http://ADDR" first.
func serveBare(ctx context.Context, addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-serve-bare %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-serve-bare %q: only loopback addresses", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stdout, "listening http://%s\n", ln.Addr())
	srv := &http.Server{Handler: bareHandler(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 32 << 10}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
