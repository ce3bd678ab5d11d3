// Package stacktest runs auth, ratelimit and cache together the way the
// README's "Use it in your own service" section mounts them, on
// http.ServeMux and on github.com/go-chi/chi/v5. It holds tests only.
package stacktest

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/groundwork-go/groundwork/auth"
	"github.com/groundwork-go/groundwork/cache"
	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/ratelimit"
)

// profile is what the service's GET /me answers, loaded through a typed
// cache.
type profile struct {
	Subject string `json:"subject"`
	Loads   int    `json:"loads"`
}

// deps are the parts a service builds once and shares between its routes.
type deps struct {
	authn    *auth.Authenticator
	limiter  *ratelimit.Limiter
	profiles *cache.Typed[profile]
	logger   *slog.Logger
	trusted  httpx.TrustedProxies
	// load fetches a profile from the service's own database.
	load func(ctx context.Context, subject string) (profile, error)
}

// perUser is the policy of GET /me.
var perUser = ratelimit.Policy{Name: "user", Limit: 3, Window: time.Minute}

// meHandler answers the caller's profile from the cache, loading it on a
// miss.
func (d *deps) meHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sub, _ := auth.SubjectFromRequest(r)
		p, err := d.profiles.GetOrLoad(r.Context(), "profile:"+sub, func(ctx context.Context) (profile, error) {
			return d.load(ctx, sub)
		})
		if err != nil {
			httpx.WriteError(w, r, httpx.Internal(err))
			return
		}
		httpx.WriteJSON(w, http.StatusOK, p)
	})
}

// The two functions below are the README's snippets: the same wiring on
// http.ServeMux and on chi. TestReadmeShowsTheWiring keeps the README's lines
// in step with them.

func (d *deps) serveMux() http.Handler {
	authn, limiter, logger, trusted, meHandler := d.authn, d.limiter, d.logger, d.trusted, d.meHandler()
	mux := http.NewServeMux()
	me := authn.Middleware(limiter.Middleware(perUser, ratelimit.ByUser(auth.SubjectFromRequest))(meHandler))
	mux.Handle("GET /me", me)
	handler := httpx.Chain(httpx.RequestID, httpx.ClientIP(trusted), httpx.AccessLog(logger, httpx.AccessLogOptions{}), httpx.Recover)(httpx.JSONErrors(mux))
	return handler
}

func (d *deps) chi() http.Handler {
	authn, limiter, logger, trusted, meHandler := d.authn, d.limiter, d.logger, d.trusted, d.meHandler()
	r := chi.NewRouter()
	r.Use(httpx.RequestID, httpx.ClientIP(trusted), httpx.AccessLog(logger, httpx.AccessLogOptions{Route: chiRoute}), httpx.Recover)
	r.With(authn.Middleware, limiter.Middleware(perUser, ratelimit.ByUser(auth.SubjectFromRequest))).Get("/me", meHandler.ServeHTTP)
	handler := httpx.JSONErrors(r) // chi's own 404/405 in the JSON envelope
	return handler
}

// chiRoute labels logs (and metrics.Options.Route) with chi's pattern.
func chiRoute(r *http.Request) string {
	if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
		return r.Method + " " + rc.RoutePattern()
	}
	return ""
}
