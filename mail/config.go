package mail

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/groundwork-go/groundwork/mail/brevo"
	"github.com/groundwork-go/groundwork/mail/resend"
)

// Provider names accepted by Config.Provider.
const (
	ProviderResend = "resend"
	ProviderBrevo  = "brevo"
)

// Config selects and configures a provider, typically filled in from the
// application's own configuration (environment, flags or a file). The zero
// value means email is not configured.
type Config struct {
	// Provider is "resend" or "brevo", case-insensitive.
	// Empty disables email: see Enabled.
	Provider string
	// APIKey authenticates with the provider. Required when Provider is
	// set. Never logged: String and LogValue redact it.
	APIKey string
	// From is the default sender, "Name <address>" or "address".
	// Required by NewSenderFromConfig.
	From string
	// BaseURL overrides the provider's API root, e.g. for a proxy or a test
	// server. Default: the provider's public endpoint.
	BaseURL string
	// HTTPClient sends the API requests. Default: a client with a 30 second
	// timeout.
	HTTPClient *http.Client
}

// Enabled reports whether a provider is configured.
func (c Config) Enabled() bool { return c.Provider != "" }

// String describes the configuration with the API key redacted.
func (c Config) String() string {
	return fmt.Sprintf("mail.Config{Provider:%q APIKey:%s From:%q BaseURL:%q}", c.Provider, redact(c.APIKey), c.From, c.BaseURL)
}

// LogValue implements slog.LogValuer with the API key redacted.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("provider", c.Provider),
		slog.String("api_key", redact(c.APIKey)),
		slog.String("from", c.From),
		slog.String("base_url", c.BaseURL),
	)
}

func redact(secret string) string {
	if secret == "" {
		return `""`
	}
	return "[redacted]"
}

// NewProviderFromConfig returns the Provider that cfg names. It fails with
// ErrConfig when the provider is empty or unknown or the API key is missing.
func NewProviderFromConfig(cfg Config) (Provider, error) {
	if cfg.APIKey == "" && cfg.Enabled() {
		return nil, fmt.Errorf("%w: APIKey is required for provider %q", ErrConfig, cfg.Provider)
	}
	switch strings.ToLower(cfg.Provider) {
	case ProviderResend:
		return NewResendProvider(resend.New(cfg.APIKey, resend.Options{BaseURL: cfg.BaseURL, HTTPClient: cfg.HTTPClient})), nil
	case ProviderBrevo:
		return NewBrevoProvider(brevo.New(cfg.APIKey, brevo.Options{BaseURL: cfg.BaseURL, HTTPClient: cfg.HTTPClient})), nil
	case "":
		return nil, fmt.Errorf("%w: Provider is not set", ErrConfig)
	default:
		return nil, fmt.Errorf("%w: unknown Provider %q (want %q or %q)", ErrConfig, cfg.Provider, ProviderResend, ProviderBrevo)
	}
}

// NewSenderFromConfig returns a Sender for the provider cfg names, with
// cfg.From as DefaultFrom (overriding opts.DefaultFrom). It fails with
// ErrConfig as NewProviderFromConfig does, or when From is missing or not an
// email address.
func NewSenderFromConfig(cfg Config, opts SenderOptions) (*Sender, error) {
	p, err := NewProviderFromConfig(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.From == "" {
		return nil, fmt.Errorf("%w: From is required", ErrConfig)
	}
	from, err := ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("%w: From: %w", ErrConfig, err)
	}
	opts.DefaultFrom = from
	return NewSender(p, opts), nil
}
