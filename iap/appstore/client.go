package appstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Default values of ClientOptions.
const (
	// DefaultTimeout is the timeout of the default HTTP client.
	DefaultTimeout = 30 * time.Second
	// DefaultTokenLifetime is how long a bearer token is valid.
	DefaultTokenLifetime = 10 * time.Minute
	// MaxTokenLifetime is the longest lifetime Apple accepts.
	MaxTokenLifetime = time.Hour
	// DefaultMaxRetries is how many times an idempotent call is retried.
	DefaultMaxRetries = 2
	// DefaultRetryBackoff is the first wait between retries; it doubles
	// with each retry.
	DefaultRetryBackoff = 500 * time.Millisecond
	// DefaultMaxRetryDelay is the longest the client waits before a retry.
	DefaultMaxRetryDelay = 30 * time.Second
)

// maxResponseBytes bounds a response body read from the API.
const maxResponseBytes = 8 << 20

// Errors returned by NewClient.
var (
	// ErrInvalidCredentials means the credentials are incomplete or the
	// private key is not a PEM-encoded ECDSA key.
	ErrInvalidCredentials = errors.New("appstore: invalid API credentials")
	// ErrBaseURLRequired means the environment has no default base URL
	// (Xcode, LocalTesting) and ClientOptions.BaseURL is empty.
	ErrBaseURLRequired = errors.New("appstore: base URL required for this environment")
)

// Credentials identify an App Store Connect in-app purchase key. All fields
// are required.
type Credentials struct {
	// PrivateKey is the contents of the SubscriptionKey_<KeyID>.p8 file
	// (PEM, PKCS #8, P-256).
	PrivateKey []byte
	// KeyID is the key's id, sent as the token's kid header.
	KeyID string
	// IssuerID is the issuer id from App Store Connect, sent as iss.
	IssuerID string
	// BundleID is the app's bundle identifier, sent as bid.
	BundleID string
}

// ClientOptions configures a Client. The zero value works.
type ClientOptions struct {
	// HTTPClient sends requests. Default: a client with DefaultTimeout.
	HTTPClient *http.Client
	// BaseURL overrides the environment's base URL (ProductionBaseURL or
	// SandboxBaseURL); required for Xcode and LocalTesting.
	BaseURL string
	// Verifier, when set, verifies every signed field of a response and fills
	// the decoded fields (Transaction, Transactions, RenewalInfo,
	// Notification); a verification failure fails the call. Default nil: the
	// signed fields are returned undecoded.
	Verifier *Verifier
	// TokenLifetime is the bearer token's lifetime; tokens are reused until
	// a minute before expiry. Default DefaultTokenLifetime, at most
	// MaxTokenLifetime.
	TokenLifetime time.Duration
	// MaxRetries is how many times an idempotent call is retried after a
	// 429, a 5xx, a retryable error code or a transport error. Default
	// DefaultMaxRetries; negative disables retries.
	MaxRetries int
	// RetryBackoff is the first wait between retries when the server gives
	// no Retry-After. Default DefaultRetryBackoff.
	RetryBackoff time.Duration
	// MaxRetryDelay caps any wait; a Retry-After beyond it ends the call
	// with the *APIError instead of waiting. Default DefaultMaxRetryDelay.
	MaxRetryDelay time.Duration
	// Now returns the current time, for token timestamps. Default time.Now.
	Now func() time.Time
}

// Client calls the App Store Server API. It is safe for concurrent use.
type Client struct {
	http          *http.Client
	baseURL       string
	tokens        *tokenSource
	verifier      *Verifier
	maxRetries    int
	backoff       time.Duration
	maxRetryDelay time.Duration
	now           func() time.Time
}

// NewClient returns a Client for env authenticated with cred.
func NewClient(cred Credentials, env Environment, opts ClientOptions) (*Client, error) {
	if cred.KeyID == "" || cred.IssuerID == "" || cred.BundleID == "" {
		return nil, fmt.Errorf("%w: key id, issuer id and bundle id are required", ErrInvalidCredentials)
	}
	key, err := jwt.ParseECPrivateKeyFromPEM(cred.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("%w: private key: %v", ErrInvalidCredentials, err)
	}
	base, err := baseURL(env, opts.BaseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{http: opts.HTTPClient, baseURL: base, verifier: opts.Verifier, maxRetries: opts.MaxRetries,
		backoff: positiveOr(opts.RetryBackoff, DefaultRetryBackoff), maxRetryDelay: positiveOr(opts.MaxRetryDelay, DefaultMaxRetryDelay),
		now: opts.Now}
	if c.http == nil {
		c.http = &http.Client{Timeout: DefaultTimeout}
	}
	if c.now == nil {
		c.now = time.Now
	}
	switch {
	case opts.MaxRetries == 0:
		c.maxRetries = DefaultMaxRetries
	case opts.MaxRetries < 0:
		c.maxRetries = 0
	}
	c.tokens = &tokenSource{key: key, keyID: cred.KeyID, issuerID: cred.IssuerID, bundleID: cred.BundleID,
		lifetime: min(positiveOr(opts.TokenLifetime, DefaultTokenLifetime), MaxTokenLifetime), now: c.now}
	return c, nil
}

func baseURL(env Environment, override string) (string, error) {
	switch {
	case override != "":
		return strings.TrimRight(override, "/"), nil
	case env == Production:
		return ProductionBaseURL, nil
	case env == Sandbox:
		return SandboxBaseURL, nil
	}
	return "", fmt.Errorf("%w: %q", ErrBaseURLRequired, env)
}

// call describes one API request.
type call struct {
	op         string
	method     string
	path       string
	query      url.Values
	body       any
	idempotent bool
}

// verifiable is a response whose signed fields the client verifies when
// it has a Verifier.
type verifiable interface {
	verify(ctx context.Context, v *Verifier) error
}

// doJSON performs cl and returns the decoded answer.
func doJSON[T any](ctx context.Context, c *Client, cl call) (*T, error) {
	var out T
	if err := c.do(ctx, cl, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// do sends c, retrying idempotent calls, and decodes a success body into out.
func (c *Client) do(ctx context.Context, cl call, out any) error {
	var body []byte
	if cl.body != nil {
		var err error
		if body, err = json.Marshal(cl.body); err != nil {
			return fmt.Errorf("appstore: %s: encode request: %w", cl.op, err)
		}
	}
	for attempt := 0; ; attempt++ {
		raw, err := c.send(ctx, cl, body)
		if err == nil {
			return c.decode(ctx, cl.op, raw, out)
		}
		delay, retry := c.retryDelay(ctx, cl, attempt, err)
		if !retry {
			return err
		}
		if err := wait(ctx, delay); err != nil {
			return fmt.Errorf("appstore: %s: %w", cl.op, err)
		}
	}
}

// retryDelay decides whether a failed attempt is retried and after how long.
func (c *Client) retryDelay(ctx context.Context, cl call, attempt int, err error) (time.Duration, bool) {
	if !cl.idempotent || attempt >= c.maxRetries || ctx.Err() != nil {
		return 0, false
	}
	delay := c.backoff << attempt
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		if !apiErr.Retryable() {
			return 0, false
		}
		if apiErr.RetryAfter > 0 {
			delay = apiErr.RetryAfter
		}
	}
	if delay > c.maxRetryDelay {
		return 0, false
	}
	return delay, true
}

// send performs one attempt and returns the body of a 2xx answer.
func (c *Client) send(ctx context.Context, cl call, body []byte) ([]byte, error) {
	token, err := c.tokens.Token()
	if err != nil {
		return nil, fmt.Errorf("appstore: %s: %w", cl.op, err)
	}
	u := c.baseURL + cl.path
	if len(cl.query) > 0 {
		u += "?" + cl.query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("appstore: %s: %w", cl.op, err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("appstore: %s: %w", cl.op, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return nil, fmt.Errorf("appstore: %s: read response: %w", cl.op, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, c.apiError(cl.op, resp, raw)
	}
	return raw, nil
}

// apiError builds the *APIError for a non-2xx answer.
func (c *Client) apiError(op string, resp *http.Response, raw []byte) *APIError {
	e := &APIError{Operation: op, StatusCode: resp.StatusCode}
	_ = json.Unmarshal(raw, e) // a non-JSON error body leaves Code and Message empty
	e.Operation, e.StatusCode = op, resp.StatusCode
	if resp.StatusCode == http.StatusTooManyRequests {
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), c.now())
	}
	return e
}

// decode unmarshals a success body and verifies its signed fields.
func (c *Client) decode(ctx context.Context, op string, raw []byte, out any) error {
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("appstore: %s: decode response: %w", op, err)
	}
	if v, ok := out.(verifiable); ok && c.verifier != nil {
		if err := v.verify(ctx, c.verifier); err != nil {
			return fmt.Errorf("appstore: %s: %w", op, err)
		}
	}
	return nil
}

// wait pauses for d or until ctx is done.
func wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
