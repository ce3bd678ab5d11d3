package main

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/httpx"
)

func envFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadConfigDefaults(t *testing.T) {
	cfg, err := loadConfig(envFrom(nil))
	if err != nil {
		t.Fatalf("loadConfig: %v", err)
	}
	if cfg.Port != 8799 || cfg.Environment != "development" || cfg.AccessTokenTTL != time.Hour ||
		cfg.RefreshTokenTTL != 24*time.Hour || cfg.RateLimitDefault != 100 || cfg.RateLimitStrict != 10 ||
		cfg.RateLimitLenient != 1000 || cfg.RateLimitUser != 300 || cfg.RateLimitWindow != time.Minute || !cfg.RateLimitEnabled {
		t.Fatalf("unexpected defaults: %+v", cfg)
	}
	if !cfg.SecretGenerated || len(cfg.SecretKey) < 32 {
		t.Fatalf("development secret not generated: generated=%v len=%d", cfg.SecretGenerated, len(cfg.SecretKey))
	}
}

func TestLoadConfigRejectsBadValues(t *testing.T) {
	tests := []struct {
		env     map[string]string
		wantVar string
	}{
		{map[string]string{"PORT": "eighty"}, "PORT"},
		{map[string]string{"PORT": "70000"}, "PORT"},
		{map[string]string{"ENVIRONMENT": "staging"}, "ENVIRONMENT"},
		{map[string]string{"ENVIRONMENT": "production"}, "SECRET_KEY"},
		{map[string]string{"SECRET_KEY": "short"}, "SECRET_KEY"},
		{map[string]string{"DATABASE_URL": "mysql://x"}, "DATABASE_URL"},
		{map[string]string{"REDIS_URL": "http://x"}, "REDIS_URL"},
		{map[string]string{"TRUSTED_PROXIES": "10.0.0.0/99"}, "TRUSTED_PROXIES"},
		{map[string]string{"TRUSTED_PROXY_HEADER": "X-Client-IP"}, "TRUSTED_PROXY_HEADER"},
		{map[string]string{"RATE_LIMIT_ENABLED": "maybe"}, "RATE_LIMIT_ENABLED"},
		{map[string]string{"RATE_LIMIT_STRICT": "0"}, "RATE_LIMIT_STRICT"},
		{map[string]string{"LOG_FORMAT": "xml"}, "LOG_FORMAT"},
		{map[string]string{"ACCESS_TOKEN_EXPIRE_MINUTES": "-5"}, "ACCESS_TOKEN_EXPIRE_MINUTES"},
	}
	for _, tt := range tests {
		_, err := loadConfig(envFrom(tt.env))
		if err == nil {
			t.Fatalf("%v: no error, want one naming %s", tt.env, tt.wantVar)
		}
		msg := err.Error()
		if !strings.Contains(msg, tt.wantVar) || strings.Contains(msg, "\n") {
			t.Fatalf("%v: error %q should be one line naming %s", tt.env, msg, tt.wantVar)
		}
	}
	_, err := loadConfig(envFrom(map[string]string{"SECRET_KEY": "tiny-secret"}))
	if err == nil || strings.Contains(err.Error(), "tiny-secret") {
		t.Fatalf("secret value echoed in error: %v", err)
	}
}

func TestLoadConfigTrustedProxyHeader(t *testing.T) {
	cfg, err := loadConfig(envFrom(map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8", "TRUSTED_PROXY_HEADER": "forwarded"}))
	if err != nil {
		t.Fatalf("loadConfig: %v", err)
	}
	if cfg.TrustedProxies.Header != httpx.HeaderForwarded || !cfg.TrustedProxies.Contains(netip.MustParseAddr("10.1.2.3")) {
		t.Fatalf("TrustedProxies: got header %v, want Forwarded with 10.0.0.0/8 trusted", cfg.TrustedProxies.Header)
	}
}
