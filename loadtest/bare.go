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

	"github.com/redis/rueidis"

	"github.com/groundwork-go/groundwork/internal/redisconn"
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

// pingTimeout bounds the bare-redis handler's PING.
const pingTimeout = time.Second

// bareRedisHandler is bareHandler after one PING through client per
// request: the floor of any server that asks Redis once per request. A
// failed PING answers 503.
func bareRedisHandler(client rueidis.Client) http.Handler {
	bare := bareHandler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), pingTimeout)
		err := client.Do(ctx, client.B().Ping().Build()).Error()
		cancel()
		if err != nil {
			http.Error(w, "redis: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		bare.ServeHTTP(w, r)
	})
}

// serveBare listens on addr (loopback only) and serves bareHandler, or
// with redisURL set bareRedisHandler over a client of it (without
// client-side caching, like the example server's rate-limit client), until
// the process is stopped. It prints "listening http://ADDR" first.
func serveBare(ctx context.Context, addr, redisURL string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-serve-bare %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-serve-bare %q: only loopback addresses", addr)
	}
	handler := bareHandler()
	if redisURL != "" {
		client, err := redisconn.OpenUncached(redisURL)
		if err != nil {
			return fmt.Errorf("-redis: %w", err)
		}
		defer client.Close()
		handler = bareRedisHandler(client)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stdout, "listening http://%s\n", ln.Addr())
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
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
