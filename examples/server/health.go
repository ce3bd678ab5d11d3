package main

import (
	"context"
	"net/http"
	"time"

	"github.com/groundwork-go/groundwork/httpx"
)

// healthTimeout bounds each dependency check of /health.
const healthTimeout = 2 * time.Second

// healthCheck is one dependency that /health pings.
type healthCheck struct {
	name string // client-facing failure text, e.g. "Database connection failed"
	ping func(ctx context.Context) error
}

type healthResponse struct {
	Status    string `json:"status"`
	Timestamp string `json:"timestamp"`
	Version   string `json:"version,omitempty"`
	Error     string `json:"error,omitempty"`
}

// handleHealth pings every dependency with a short timeout: 200 healthy, or
// 503 unhealthy naming the first failed dependency (never its error text).
func handleHealth(checks []healthCheck) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		now := time.Now().UTC().Format(time.RFC3339)
		for _, c := range checks {
			ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
			err := c.ping(ctx)
			cancel()
			if err != nil {
				httpx.LoggerFromContext(r.Context()).Error("health check failed", "check", c.name, "err", err)
				httpx.WriteJSON(w, http.StatusServiceUnavailable, healthResponse{Status: "unhealthy", Error: c.name, Timestamp: now})
				return
			}
		}
		httpx.WriteJSON(w, http.StatusOK, healthResponse{Status: "healthy", Timestamp: now, Version: version})
	}
}
