package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/groundwork-go/groundwork/auth"
	"github.com/groundwork-go/groundwork/cache"
	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/metrics"
	"github.com/groundwork-go/groundwork/ratelimit"
	"github.com/groundwork-go/groundwork/users"
)

// apiPrefix is the versioned base path of the API.
const apiPrefix = "/api/v1"

// components are the library pieces the routes are assembled from.
type components struct {
	authn    *auth.Authenticator
	users    *users.Service
	profiles *cachedProfiles
	limiter  *ratelimit.Limiter // nil when RATE_LIMIT_ENABLED=false
	mailer   *welcomeMailer     // nil when MAIL_PROVIDER is unset
	metrics  *metrics.Metrics   // nil when METRICS_ENABLED=false
	// metricsOnMux serves /metrics on the public listener (METRICS_ADDR unset).
	metricsOnMux bool
	docs         *apiDocs // nil when DOCS_ENABLED=false
	tiers        ratelimit.Tiers
	// Policies beyond the tiers (throttle.go).
	loginUser, passwordUser, passwordIP, authFailures ratelimit.Policy
}

// newComponents builds the authenticator, user service and limiter on the
// connected backends.
func (a *app) newComponents(ctx context.Context) (*components, error) {
	if err := users.Migrate(ctx, a.db); err != nil {
		return nil, err
	}
	key, err := auth.HS256Key("primary", []byte(a.cfg.SecretKey))
	if err != nil {
		return nil, err
	}
	tokens, err := auth.NewTokens(key, auth.TokenOptions{AccessTTL: a.cfg.AccessTokenTTL, RefreshTTL: a.cfg.RefreshTokenTTL,
		MaxLength: a.cfg.TokenMaxLength})
	if err != nil {
		return nil, err
	}
	var revocations auth.RevocationStore = auth.NewMemoryRevocations(auth.MemoryRevocationOptions{})
	var cacheStore cache.Store = cache.NewMemoryStore(cache.MemoryOptions{})
	if a.redis != nil {
		cacheStore = cache.NewRedisStore(a.redis, cache.RedisOptions{Prefix: a.cfg.RedisKeyPrefix + "cache:"})
		revocations = auth.NewRedisRevocations(a.redis, auth.RedisRevocationOptions{Prefix: a.cfg.RedisKeyPrefix + "auth:",
			Trace: a.traceHook()})
	}
	c := &components{tiers: ratelimit.NewTiers(a.cfg.RateLimitStrict, a.cfg.RateLimitDefault,
		a.cfg.RateLimitLenient, a.cfg.RateLimitUser, a.cfg.RateLimitWindow)}
	// The service revokes tokens through the authenticator, and the
	// authenticator checks users through the service.
	if a.cfg.MetricsEnabled {
		c.metrics = metrics.New(nil, metrics.Options{})
		c.metricsOnMux = a.cfg.MetricsAddr == "" && a.cfg.MetricsPublic
	}
	c.profiles = newCachedProfiles(cacheStore, a.logger, c.cacheObserver("users"))
	c.throttlePolicies()
	authOpts := auth.Options{Subjects: c.profiles, Logger: a.logger, OnEvent: c.observeAuth,
		WriteTimeout: a.cfg.AuthWriteTimeout, ErrorWriter: c.authErrorWriter}
	limitOpts := ratelimit.Options{Logger: a.logger, Timeout: a.cfg.RateLimitTimeout, Trace: a.traceHook()}
	memory := memoryLimits(a.cfg.RateLimitMaxKeys)
	if c.metrics != nil {
		limitOpts.OnEvent = c.metrics.ObserveRateLimitEvent
		memory.OnEvent = c.metrics.ObserveRateLimitEvent // evictions
	}
	// The in-process limiter decides everything in embedded mode, and the
	// strict tier's requests while Redis fails.
	limitOpts.Fallback = ratelimit.NewMemoryStore(memory)
	var limitStore ratelimit.Store = limitOpts.Fallback
	if a.limitRedis != nil {
		limitStore = ratelimit.NewRedisStore(a.limitRedis, ratelimit.RedisOptions{
			Prefix: a.cfg.RedisKeyPrefix + ratelimit.DefaultRedisPrefix, Batch: true})
	}
	sessions := users.NewSessions(a.db)
	if c.authn, err = auth.NewAuthenticator(tokens, sessions, revocations, authOpts); err != nil {
		return nil, err
	}
	if err := restoreSessions(ctx, c.authn, sessions, a.logger); err != nil {
		return nil, err
	}
	c.users = users.NewService(users.NewStore(a.db), users.Options{
		Hasher:   users.NewHasher(users.HasherOptions{MaxWait: a.cfg.HashMaxWait, Trace: a.traceHook()}),
		Logger:   a.logger,
		Guard:    c.authn,
		OnChange: c.profiles.Invalidate,
	})
	c.profiles.svc = c.users
	if a.cfg.RateLimitEnabled {
		c.limiter = ratelimit.New(limitStore, limitOpts)
	}
	mailCfg := a.cfg.Mail
	mailCfg.HTTPClient = a.tracedHTTPClient(mailTimeout)
	if c.mailer, err = newWelcomeMailer(mailCfg, a.logger); err != nil {
		return nil, err
	}
	if a.cfg.DocsEnabled {
		if c.docs, err = newAPIDocs(a.cfg.RedocScriptURL, a.cfg.RedocIntegrity); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// cacheObserver returns the metrics hook for the named cache, or nil.
func (c *components) cacheObserver(name string) func(cache.Event) {
	if c.metrics == nil {
		return nil
	}
	return c.metrics.CacheObserver(name)
}

// memoryLimits bounds the in-process limiter (the embedded default, and the
// strict tier's fallback): maxKeys keys per policy, a fifth of that for the
// user tier and a tenth for the lenient tier, whose windows hold the most
// requests. With every window full that is about 28 MB per strict policy,
// 110 MB for the default tier and 80 MB for the lenient tier at the
// default 100,000.
func memoryLimits(maxKeys int) ratelimit.MemoryOptions {
	return ratelimit.MemoryOptions{MaxKeys: maxKeys, PolicyMaxKeys: map[string]int{
		"user": max(1, maxKeys/5), "lenient": max(1, maxKeys/10)}}
}

// observeAuth is auth.Options.OnEvent: checks and session events go to
// the metrics.
func (c *components) observeAuth(e auth.Event) {
	if c.metrics != nil {
		c.metrics.ObserveAuthEvent(e)
	}
}

// sessionRetention is how long ended and expired sessions stay in the
// database: far longer than any token they could concern.
const sessionRetention = 7 * 24 * time.Hour

// restoreSessions copies the recently ended sessions into the revocation
// store (a restart of the embedded default, a flushed Redis) and prunes
// long-finished ones.
func restoreSessions(ctx context.Context, a *auth.Authenticator, sessions *users.SQLSessions, logger *slog.Logger) error {
	n, err := a.RestoreRevocations(ctx)
	if err != nil {
		return err
	}
	pruned, err := sessions.Prune(ctx, sessionRetention)
	if err != nil {
		return err
	}
	logger.Info("sessions restored", "ended_sessions_restored", n, "sessions_pruned", pruned)
	return nil
}

// limit wraps h in the policy p keyed by key, or returns h unchanged when
// rate limiting is disabled.
func (c *components) limit(p ratelimit.Policy, key ratelimit.KeyFunc, h http.Handler) http.Handler {
	if c.limiter == nil {
		return h
	}
	return c.limiter.Middleware(p, key)(h)
}

// authenticated requires a valid access token and applies the per-user tier.
// The profile that the token check loads (cachedProfiles.LoadSubject) reaches
// the handler in the request's auth.Identity.
func (c *components) authenticated(h http.Handler) http.Handler {
	return c.authn.Middleware(c.limit(c.tiers.User, ratelimit.ByUser(auth.SubjectFromRequest), h))
}

// tokenAliasDeprecation marks POST /api/v1/auth/token, the OAuth2-style
// token URL that clients ported from other services call, as a deprecated
// alias of login: same handler and rate-limit bucket, plus the Deprecation,
// Sunset and Link headers (the sunset six months after the deprecation).
var tokenAliasDeprecation = httpx.Deprecated(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), httpx.DeprecationOptions{
	Sunset: time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC),
	Link:   "https://github.com/groundwork-go/groundwork/blob/main/CHANGELOG.md#deprecated",
})

// handleRegistrar is the part of http.ServeMux that routes uses, so that a
// test can list the registered patterns.
type handleRegistrar interface {
	Handle(pattern string, handler http.Handler)
}

// routes registers the documented API (openapi.yaml) on mux.
func (c *components) routes(mux handleRegistrar, health http.Handler) {
	handlerOpts := users.HandlerOptions{GetUser: c.profiles.Get}
	if c.mailer != nil {
		handlerOpts.OnSignup = c.mailer.onSignup
	}
	userHandlers := users.NewHandlers(c.users, c.authn, handlerOpts)

	mux.Handle("GET /health", c.limit(c.tiers.Lenient, ratelimit.ByIP, health))
	if c.metrics != nil && c.metricsOnMux {
		mux.Handle("GET /metrics", c.limit(c.tiers.Lenient, ratelimit.ByIP, c.metrics.Handler()))
	}
	if c.docs != nil {
		for _, rt := range c.docs.routes() {
			mux.Handle(rt.pattern, c.limit(c.tiers.Lenient, ratelimit.ByIP, rt.handler))
		}
	}

	var credentials auth.CredentialChecker = c.users
	if c.limiter != nil {
		credentials = throttledCredentials{inner: c.users, limiter: c.limiter, policy: c.loginUser}
	}
	login := c.limit(c.tiers.Strict, ratelimit.ByIP, c.authn.LoginHandler(credentials))
	mux.Handle("POST "+apiPrefix+"/auth/login", login)
	mux.Handle("POST "+apiPrefix+"/auth/token", tokenAliasDeprecation(login))
	mux.Handle("POST "+apiPrefix+"/auth/signup", c.limit(c.tiers.Strict, ratelimit.ByIP, userHandlers.Signup()))
	mux.Handle("POST "+apiPrefix+"/auth/refresh", c.limit(c.tiers.Default, ratelimit.ByIP, c.authn.RefreshHandler()))
	mux.Handle("POST "+apiPrefix+"/auth/logout", c.authenticated(c.authn.LogoutHandler()))

	mux.Handle("GET "+apiPrefix+"/users/me", c.authenticated(userHandlers.Me()))
	mux.Handle("PATCH "+apiPrefix+"/users/me", c.authenticated(userHandlers.UpdateMe()))
	mux.Handle("DELETE "+apiPrefix+"/users/me", c.authenticated(userHandlers.DeleteMe()))
	mux.Handle("POST "+apiPrefix+"/users/me/password", c.authenticated(
		c.limit(c.passwordUser, ratelimit.ByUser(auth.SubjectFromRequest),
			c.limit(c.passwordIP, ratelimit.ByIP, userHandlers.ChangePassword()))))
	mux.Handle("GET "+apiPrefix+"/users/me/sessions", c.authenticated(c.authn.ListSessionsHandler()))
	mux.Handle("DELETE "+apiPrefix+"/users/me/sessions", c.authenticated(c.authn.EndSessionsHandler()))
	mux.Handle("DELETE "+apiPrefix+"/users/me/sessions/{id}", c.authenticated(c.authn.EndSessionHandler()))
}

// middleware is the stack every request passes through, outermost first.
// The metrics middleware sits inside AccessLog and Recover, next to the
// mux, so it sees the route pattern and the recovered 500s.
func (a *app) middleware(m *metrics.Metrics) httpx.Middleware {
	mw := []httpx.Middleware{httpx.RequestID}
	if a.tracer != nil {
		// After RequestID, which replaces the request; the middleware
		// below fill in its state in place, so the span sees the route.
		mw = append(mw, a.tracer.Middleware)
	}
	mw = append(mw,
		httpx.ClientIP(a.cfg.TrustedProxies),
		httpx.SecurityHeaders(httpx.SecurityOptions{}),
		httpx.CORS(httpx.CORSOptions{AllowedOrigins: a.cfg.CORSOrigins,
			ReflectAnyOrigin: a.cfg.Environment == "development"}),
		httpx.AccessLog(a.logger, httpx.AccessLogOptions{}),
		httpx.Recover,
	)
	if m != nil {
		mw = append(mw, m.Middleware)
	}
	return httpx.Chain(mw...)
}
