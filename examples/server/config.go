package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/groundwork-go/groundwork/examples/internal/otelsetup"
	"github.com/groundwork-go/groundwork/examples/internal/serving"
	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/mail"
)

// config is the server's configuration, read from the environment.
type config struct {
	Port                int
	Environment         string
	DatabaseURL         string
	RedisURL            string
	RedisKeyPrefix      string
	SecretKey           string
	SecretGenerated     bool
	AccessTokenTTL      time.Duration
	RefreshTokenTTL     time.Duration
	CORSOrigins         []string
	TrustedProxies      httpx.TrustedProxies
	LogLevel            string
	LogFormat           string
	ShutdownTimeout     time.Duration
	IdleTimeout         time.Duration
	MaxConnections      int
	MaxConnectionsPerIP int
	RateLimitEnabled    bool
	RateLimitWindow     time.Duration
	RateLimitDefault    int
	RateLimitStrict     int
	RateLimitLenient    int
	RateLimitUser       int
	RateLimitTimeout    time.Duration
	RateLimitMaxKeys    int
	AuthWriteTimeout    time.Duration
	HashMaxWait         time.Duration
	Mail                mail.Config
	MetricsEnabled      bool
	MetricsAddr         string
	DocsEnabled         bool
	RedocScriptURL      string
	RedocIntegrity      string
	MetricsPublic       bool
	TokenMaxLength      int
	TracesExporter      string // "", "otlp" or "none"
	OTLPEndpoint        string
	OTLPTracesEndpoint  string
	ServiceName         string
}

// tracingEnabled reports whether spans are exported: OTEL_TRACES_EXPORTER
// is otlp, or it is unset and an OTLP endpoint is set.
func (c *config) tracingEnabled() bool {
	return otelsetup.Enabled(c.TracesExporter, c.OTLPEndpoint, c.OTLPTracesEndpoint)
}

// envVar documents one environment variable; the table drives loading and
// the README's table, so the two cannot drift apart.
type envVar struct {
	name, def, doc string
	set            func(c *config, v string) error
}

var envVars = []envVar{
	{"PORT", "8799", "TCP port to listen on (0 picks a free port)", func(c *config, v string) error { return intIn(&c.Port, v, 0, 65535) }},
	{"ENVIRONMENT", "development", "`development` or `production`", func(c *config, v string) error {
		if v != "development" && v != "production" {
			return fmt.Errorf("must be development or production")
		}
		c.Environment = v
		return nil
	}},
	{"DATABASE_URL", "", "PostgreSQL URL (`postgres://...`); unset → embedded SQLite file `groundwork.db` in the working directory (`sqlite:PATH` picks another file)", func(c *config, v string) error {
		if v != "" && !strings.HasPrefix(v, "postgres://") && !strings.HasPrefix(v, "postgresql://") && !strings.HasPrefix(v, "sqlite:") {
			return fmt.Errorf("must start with postgres://, postgresql:// or sqlite:")
		}
		c.DatabaseURL = v
		return nil
	}},
	{"REDIS_URL", "", "Redis URL (`redis://`, `rediss://`, `redis+cluster://host:7001?addr=host:7002`, sentinel with `?master_set=`); unset → in-process memory backends", func(c *config, v string) error {
		if v != "" && !strings.HasPrefix(v, "redis") && !strings.HasPrefix(v, "unix://") {
			return fmt.Errorf("must be a redis://, rediss://, redis+cluster:// or unix:// URL")
		}
		c.RedisURL = v
		return nil
	}},
	{"REDIS_KEY_PREFIX", "", "prefix for every Redis key (before `auth:`, `ratelimit:`, `cache:`), so several applications can share one Redis", func(c *config, v string) error {
		c.RedisKeyPrefix = v
		return nil
	}},
	{"SECRET_KEY", "", "HS256 signing key, at least 32 bytes; required in production; in development a random key is generated per process (tokens die with it)", func(c *config, v string) error {
		if v != "" && len(v) < 32 {
			return fmt.Errorf("must be at least 32 bytes")
		}
		c.SecretKey = v
		return nil
	}},
	{"ACCESS_TOKEN_EXPIRE_MINUTES", "60", "access token lifetime in minutes", func(c *config, v string) error { return minutes(&c.AccessTokenTTL, v) }},
	{"REFRESH_TOKEN_EXPIRE_MINUTES", "1440", "refresh token lifetime in minutes", func(c *config, v string) error { return minutes(&c.RefreshTokenTTL, v) }},
	{"TOKEN_MAX_LENGTH", "4096", "longest bearer or refresh token accepted, in bytes; a longer one is refused (401) before any decoding", func(c *config, v string) error { return intIn(&c.TokenMaxLength, v, 512, 65536) }},
	{"AUTH_WRITE_TIMEOUT", "2s", "how long a login, refresh, logout or password change may wait for the session store (database) and the revocation store (Redis) before it answers 503", func(c *config, v string) error {
		if err := duration(&c.AuthWriteTimeout, v); err != nil {
			return err
		}
		if c.AuthWriteTimeout == 0 {
			return fmt.Errorf("must be positive")
		}
		return nil
	}},
	{"CORS_ORIGINS", "*", "comma-separated allowed origins (reflected, with credentials), or `*`: in development any origin is reflected with credentials; in production `*` answers `Access-Control-Allow-Origin: *` without credentials (a warning at start says so)", func(c *config, v string) error {
		c.CORSOrigins = splitList(v)
		return nil
	}},
	{"TRUSTED_PROXIES", "", "comma-separated CIDRs of reverse proxies whose forwarding header (`TRUSTED_PROXY_HEADER`) is believed; empty → forwarding headers ignored", func(c *config, v string) error {
		tp, err := httpx.ParseTrustedProxies(v)
		c.TrustedProxies = tp
		return err
	}},
	// After TRUSTED_PROXIES, which replaces c.TrustedProxies.
	{"TRUSTED_PROXY_HEADER", "X-Forwarded-For", "the one header trusted proxies set to name the client: `X-Forwarded-For`, `X-Real-IP` or `Forwarded` (RFC 7239); the others are ignored", func(c *config, v string) error {
		h, err := httpx.ParseForwardingHeader(v)
		c.TrustedProxies.Header = h
		return err
	}},
	{"LOG_LEVEL", "info", "`debug`, `info`, `warn` or `error`", func(c *config, v string) error {
		switch v {
		case "debug", "info", "warn", "error":
			c.LogLevel = v
			return nil
		}
		return fmt.Errorf("must be debug, info, warn or error")
	}},
	{"LOG_FORMAT", "text", "`json` or `text`", func(c *config, v string) error {
		if v != "json" && v != "text" {
			return fmt.Errorf("must be json or text")
		}
		c.LogFormat = v
		return nil
	}},
	{"SHUTDOWN_TIMEOUT", "30s", "how long in-flight requests may run after SIGINT/SIGTERM (Go duration)", func(c *config, v string) error {
		return duration(&c.ShutdownTimeout, v)
	}},
	{"IDLE_TIMEOUT", "30s", "how long an idle keep-alive connection is kept open (Go duration)", func(c *config, v string) error {
		if err := duration(&c.IdleTimeout, v); err != nil {
			return err
		}
		if c.IdleTimeout == 0 {
			return fmt.Errorf("must be positive")
		}
		return nil
	}},
	{"MAX_CONNECTIONS", "0", "most connections held open at once; at the cap a new connection replaces the longest-idle one, and is refused only when all are busy; 0 → the file-descriptor limit less 256", func(c *config, v string) error {
		if err := intIn(&c.MaxConnections, v, 0, 1<<20); err != nil {
			return err
		}
		if c.MaxConnections == 0 {
			c.MaxConnections = serving.DefaultMaxConnections()
		}
		return nil
	}},
	{"MAX_CONNECTIONS_PER_IP", "0", "most connections one client address may hold open (its idle ones are replaced first); 0 → no per-address cap, as behind a reverse proxy, which should cap per client itself (see README)", func(c *config, v string) error {
		return intIn(&c.MaxConnectionsPerIP, v, 0, 1<<20)
	}},
	{"RATE_LIMIT_ENABLED", "true", "enable rate limiting", func(c *config, v string) error {
		b, err := strconv.ParseBool(v)
		c.RateLimitEnabled = b
		return err
	}},
	{"RATE_LIMIT_WINDOW", "60", "rate-limit window in seconds", func(c *config, v string) error {
		var n int
		err := intIn(&n, v, 1, 86400)
		c.RateLimitWindow = time.Duration(n) * time.Second
		return err
	}},
	{"RATE_LIMIT_DEFAULT", "100", "requests per window per IP, general endpoints", func(c *config, v string) error { return intIn(&c.RateLimitDefault, v, 1, 1_000_000) }},
	{"RATE_LIMIT_STRICT", "10", "requests per window per IP for login and signup", func(c *config, v string) error { return intIn(&c.RateLimitStrict, v, 1, 1_000_000) }},
	{"RATE_LIMIT_LENIENT", "1000", "requests per window per IP for public endpoints (/health, docs)", func(c *config, v string) error { return intIn(&c.RateLimitLenient, v, 1, 1_000_000) }},
	{"RATE_LIMIT_USER", "300", "requests per window per user ID for authenticated endpoints", func(c *config, v string) error { return intIn(&c.RateLimitUser, v, 1, 1_000_000) }},
	{"RATE_LIMIT_MAX_KEYS", "100000", "keys (client IPs, users, login names) the in-process limiter keeps per policy (a fifth for the user tier, a tenth for the lenient tier); beyond it the least recently used key is forgotten, never one denied within its window; about 28 MB per strict policy with every window full", func(c *config, v string) error { return intIn(&c.RateLimitMaxKeys, v, 1000, 10_000_000) }},
	{"RATE_LIMIT_TIMEOUT", "50ms", "how long a rate-limit decision may wait for Redis; a slower decision lets the request through for the default, lenient and user tiers (fail-open) and is decided by an in-process limiter for the strict tier (see README)", func(c *config, v string) error {
		if err := duration(&c.RateLimitTimeout, v); err != nil {
			return err
		}
		if c.RateLimitTimeout == 0 {
			return fmt.Errorf("must be positive")
		}
		return nil
	}},
	{"HASH_MAX_WAIT", "1500ms", "how long a login, signup or password change waits for a password-hashing slot before it is answered 503 with Retry-After (Go duration)", func(c *config, v string) error {
		if err := duration(&c.HashMaxWait, v); err != nil {
			return err
		}
		if c.HashMaxWait <= 0 {
			return fmt.Errorf("must be positive")
		}
		return nil
	}},
	{"MAIL_PROVIDER", "", "`resend` or `brevo`; unset → no email is sent (signup still works)", func(c *config, v string) error {
		c.Mail.Provider = v
		return nil
	}},
	{"MAIL_API_KEY", "", "the mail provider's API key (required with MAIL_PROVIDER)", func(c *config, v string) error {
		c.Mail.APIKey = v
		return nil
	}},
	{"MAIL_FROM", "", "sender of the welcome email, `Name <address>` or `address` (required with MAIL_PROVIDER)", func(c *config, v string) error {
		c.Mail.From = v
		return nil
	}},
	{"MAIL_BASE_URL", "", "override of the provider's API root (a proxy or a test server)", func(c *config, v string) error {
		c.Mail.BaseURL = v
		return nil
	}},
	{"METRICS_ENABLED", "true", "expose Prometheus metrics at `/metrics`", func(c *config, v string) error {
		b, err := strconv.ParseBool(v)
		c.MetricsEnabled = b
		return err
	}},
	{"METRICS_PUBLIC", "", "serve `/metrics` on the public listener when METRICS_ADDR is unset: `true` or `false`; unset → true in development, false in production (then `/metrics` is served only on METRICS_ADDR)", func(c *config, v string) error {
		if v == "" {
			c.MetricsPublic = c.Environment == "development"
			return nil
		}
		b, err := strconv.ParseBool(v)
		c.MetricsPublic = b
		return err
	}},
	{"METRICS_ADDR", "", "serve `/metrics` on this separate address (e.g. `127.0.0.1:9090`) instead of the public listener", func(c *config, v string) error {
		if v != "" {
			if _, _, err := net.SplitHostPort(v); err != nil {
				return fmt.Errorf("must be host:port")
			}
		}
		c.MetricsAddr = v
		return nil
	}},
	// DOCS_ENABLED comes after ENVIRONMENT, whose value its default follows.
	{"DOCS_ENABLED", "", "serve `/openapi.json`, `/openapi.yaml`, Swagger UI at `/docs` and ReDoc at `/redoc`: `true` or `false`; unset → on in development, off in production", func(c *config, v string) error {
		if v == "" {
			c.DocsEnabled = c.Environment == "development"
			return nil
		}
		b, err := strconv.ParseBool(v)
		c.DocsEnabled = b
		return err
	}},
	{"REDOC_SCRIPT_URL", defaultRedocScriptURL, "where `/redoc` loads the ReDoc script from: an `https://` URL, a path on this host, or `file:PATH` of a local `redoc.standalone.js` that the server reads at start and serves itself at `/redoc/redoc.standalone.js` (for offline use; the default is redoc 2.5.4 on a public CDN, checked with its Subresource Integrity hash)", func(c *config, v string) error {
		if !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "file:") {
			return fmt.Errorf("must be an http(s):// URL, a path starting with / or file:PATH")
		}
		c.RedocScriptURL = v
		return nil
	}},
	// REDOC_SCRIPT_INTEGRITY comes after REDOC_SCRIPT_URL, whose value its default follows.
	{"REDOC_SCRIPT_INTEGRITY", "", "Subresource Integrity hash (`sha384-…`) the browser checks the ReDoc script against; unset → the pinned hash of the default script, none for another URL", func(c *config, v string) error {
		switch {
		case v == "" && c.RedocScriptURL == defaultRedocScriptURL:
			c.RedocIntegrity = defaultRedocIntegrity
		case v == "":
		case strings.HasPrefix(v, "sha256-"), strings.HasPrefix(v, "sha384-"), strings.HasPrefix(v, "sha512-"):
			c.RedocIntegrity = v
		default:
			return fmt.Errorf("must be sha256-, sha384- or sha512- followed by a base64 digest")
		}
		return nil
	}},
	{"OTEL_EXPORTER_OTLP_ENDPOINT", "", "base URL of an OTLP/HTTP collector (`http://collector:4318`; traces go to its `/v1/traces`); set → tracing on: spans for requests, rate-limit decisions, password hashing, revocation checks, Redis commands, SQL queries and outbound calls; unset → tracing off, at no cost. The other `OTEL_*` variables of the OpenTelemetry SDK (headers, timeout, sampler, resource attributes) apply too", func(c *config, v string) error {
		c.OTLPEndpoint = v
		return httpURL(v)
	}},
	{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "", "full URL traces are sent to (`http://collector:4318/v1/traces`), before OTEL_EXPORTER_OTLP_ENDPOINT; set → tracing on", func(c *config, v string) error {
		c.OTLPTracesEndpoint = v
		return httpURL(v)
	}},
	{"OTEL_TRACES_EXPORTER", "", "`otlp` → tracing on (to `http://localhost:4318` when no endpoint is set); `none` → tracing off even with an endpoint set; unset → on exactly when an endpoint is set", func(c *config, v string) error {
		if v != "" && v != "otlp" && v != "none" {
			return fmt.Errorf("must be otlp or none")
		}
		c.TracesExporter = v
		return nil
	}},
	{"OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf", "OTLP transport; only `http/protobuf` is supported", func(c *config, v string) error {
		if v != "http/protobuf" {
			return fmt.Errorf("only http/protobuf is supported")
		}
		return nil
	}},
	{"OTEL_SERVICE_NAME", "groundwork", "`service.name` of the exported spans", func(c *config, v string) error {
		c.ServiceName = v
		return nil
	}},
}

// loadConfig reads every variable (unset or empty means the default) and
// returns the first invalid one as a one-line error naming it.
func loadConfig(getenv func(string) string) (*config, error) {
	c := &config{}
	for _, ev := range envVars {
		v := strings.TrimSpace(getenv(ev.name))
		if v == "" {
			v = ev.def
		}
		if err := ev.set(c, v); err != nil {
			return nil, fmt.Errorf("invalid %s=%q: %v", ev.name, redactIfSecret(ev.name, v), err)
		}
	}
	if c.SecretKey == "" {
		if c.Environment == "production" {
			return nil, fmt.Errorf("invalid SECRET_KEY: required when ENVIRONMENT=production")
		}
		c.SecretKey = randomSecret()
		c.SecretGenerated = true
	}
	return c, nil
}

func redactIfSecret(name, v string) string {
	if name == "SECRET_KEY" || strings.Contains(name, "URL") || strings.Contains(name, "API_KEY") || strings.Contains(name, "ENDPOINT") {
		return "(redacted)"
	}
	return v
}

func intIn(dst *int, v string, lo, hi int) error {
	n, err := strconv.Atoi(v)
	if err != nil {
		return fmt.Errorf("not an integer")
	}
	if n < lo || n > hi {
		return fmt.Errorf("must be between %d and %d", lo, hi)
	}
	*dst = n
	return nil
}

func minutes(dst *time.Duration, v string) error {
	var n int
	if err := intIn(&n, v, 1, 525600); err != nil {
		return err
	}
	*dst = time.Duration(n) * time.Minute
	return nil
}

func duration(dst *time.Duration, v string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return fmt.Errorf("not a non-negative Go duration such as 30s")
	}
	*dst = d
	return nil
}

// httpURL accepts "" and http:// or https:// URLs.
func httpURL(v string) error {
	if v != "" && !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
		return fmt.Errorf("must be an http:// or https:// URL")
	}
	return nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func randomSecret() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
