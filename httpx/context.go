package httpx

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
)

type stateKey struct{}

// requestState is what the httpx middleware records about one request: its
// ID (RequestID), client IP (ClientIP), logger and access-log attributes
// (AccessLog). It is kept under one context key. The first of those
// middleware to run puts a state in the request's context; the others fill
// in their own field in place, so the chain copies the request once rather
// than once per middleware. A field that is already set (nested middleware,
// NewRequestIDContext, NewLoggerContext) is replaced in a copy of the state,
// never in place, so a context never sees its values change.
type requestState struct {
	requestID   string
	clientIP    netip.Addr
	hasClientIP bool
	logger      *slog.Logger
	logAttrs    *logAttrs // nil outside AccessLog with logging enabled
}

func stateFrom(ctx context.Context) *requestState {
	st, _ := ctx.Value(stateKey{}).(*requestState)
	return st
}

// editState returns the state that a middleware may fill in, and the request
// that carries it. When r carries a state and set reports the middleware's
// field unset, that state is returned with r itself; otherwise a copy of it
// (or a new state) is attached to a new request.
func editState(r *http.Request, set func(*requestState) bool) (*requestState, *http.Request) {
	ctx := r.Context()
	if st := stateFrom(ctx); st != nil && !set(st) {
		return st, r
	}
	st := copyState(ctx)
	return st, r.WithContext(context.WithValue(ctx, stateKey{}, st))
}

// copyState returns a copy of ctx's state, or a new one.
func copyState(ctx context.Context) *requestState {
	if st := stateFrom(ctx); st != nil {
		cp := *st
		return &cp
	}
	return &requestState{}
}

// NewRequestIDContext returns a copy of ctx carrying the request ID id.
func NewRequestIDContext(ctx context.Context, id string) context.Context {
	st := copyState(ctx)
	st.requestID = id
	return context.WithValue(ctx, stateKey{}, st)
}

// RequestIDFromContext returns the request ID stored by the RequestID
// middleware, or "" when there is none.
func RequestIDFromContext(ctx context.Context) string {
	if st := stateFrom(ctx); st != nil {
		return st.requestID
	}
	return ""
}

// NewLoggerContext returns a copy of ctx carrying logger.
func NewLoggerContext(ctx context.Context, logger *slog.Logger) context.Context {
	st := copyState(ctx)
	st.logger = logger
	return context.WithValue(ctx, stateKey{}, st)
}

// LoggerFromContext returns the logger stored in ctx, or slog.Default().
func LoggerFromContext(ctx context.Context) *slog.Logger {
	if st := stateFrom(ctx); st != nil && st.logger != nil {
		return st.logger
	}
	return slog.Default()
}
