package httpx

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// logAttrs collects attributes that inner handlers add to the access log line.
type logAttrs struct{ attrs []slog.Attr }

// accessEntry is what AccessLog keeps for one request, in one allocation:
// the status recorder and the added attributes, with room for two of them.
type accessEntry struct {
	rec    statusRecorder
	added  logAttrs
	inline [2]slog.Attr
}

// AddLogAttrs adds attributes (for example the authenticated user ID) to the
// request's access log line. It does nothing outside AccessLog.
func AddLogAttrs(ctx context.Context, attrs ...slog.Attr) {
	if st := stateFrom(ctx); st != nil && st.logAttrs != nil {
		st.logAttrs.attrs = append(st.logAttrs.attrs, attrs...)
	}
}

// AccessLogOptions configure AccessLog. The zero value is ready to use.
type AccessLogOptions struct {
	// Route returns the "route" attribute of a request's line. It is called
	// after the handler returns, with the request AccessLog passed to it.
	// Default: RoutePattern.
	Route RouteFunc
}

// AccessLog is middleware that logs one structured line per request with
// logger: method, route, path, status, duration, bytes and request ID, plus
// attributes added with AddLogAttrs. The query string and headers are never
// logged (they may carry secrets).
//
// The route comes from opts.Route, by default RoutePattern: r.Pattern after
// the handler returns, which http.ServeMux sets on the request it receives.
// With that default, place AccessLog so that no middleware between it and
// the mux replaces the request, or the route is logged as "". With another
// router, set opts.Route to the function that reads that router's pattern.
func AccessLog(logger *slog.Logger, opts AccessLogOptions) Middleware {
	route := opts.Route
	if route == nil {
		route = RoutePattern
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			st, r := editState(r, func(st *requestState) bool { return st.logger != nil || st.logAttrs != nil })
			st.logger = logger
			if !logger.Enabled(r.Context(), slog.LevelError) {
				next.ServeHTTP(w, r)
				return
			}
			start := time.Now()
			e := &accessEntry{rec: statusRecorder{ResponseWriter: w}}
			e.added.attrs = e.inline[:0]
			rec, la := &e.rec, &e.added
			st.logAttrs = la
			ctx := r.Context()
			next.ServeHTTP(rec, r)
			status := rec.statusOrOK()
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			if !logger.Enabled(ctx, level) {
				return // e.g. LOG_LEVEL=warn: only 5xx lines are built
			}
			attrs := append([]slog.Attr{
				slog.String("method", r.Method),
				slog.String("route", route(r)),
				slog.String("path", r.URL.Path),
				slog.Int("status", status),
				slog.Duration("duration", time.Since(start)),
				slog.Int64("bytes", rec.bytes),
				slog.String("request_id", RequestIDFromContext(ctx)),
			}, la.attrs...)
			logger.LogAttrs(ctx, level, "request", attrs...)
		})
	}
}
