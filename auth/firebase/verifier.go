package firebase

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"

	"github.com/groundwork-go/groundwork/auth"
)

// DefaultKeysURL is where Google publishes the certificates that sign Firebase
// ID tokens.
const DefaultKeysURL = "https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com"

// MaxClockSkew bounds Config.ClockSkew.
const MaxClockSkew = 5 * time.Minute

// issuerPrefix followed by the project id is the required iss claim.
const issuerPrefix = "https://securetoken.google.com/"

// maxUIDLength is the longest sub claim Firebase issues.
const maxUIDLength = 128

// maxTokenLength bounds the raw token we are willing to parse.
const maxTokenLength = 16 << 10

// UserState is what the revocation check needs to know about a user.
type UserState struct {
	// TokensValidAfter is the user's validSince time: tokens from sign-ins
	// before it are revoked. The zero time when tokens were never revoked.
	TokensValidAfter time.Time
	// Disabled reports whether the account is disabled.
	Disabled bool
}

// RevocationChecker reports whether a user's sessions were revoked
// (Firebase's validSince) and whether the account is disabled.
// auth/firebase/users.Client implements it.
type RevocationChecker interface {
	// UserState returns the revocation state of the user with the given uid.
	UserState(ctx context.Context, uid string) (UserState, error)
}

// Config holds the optional settings of a Verifier. The zero value verifies
// against Google's production keys.
type Config struct {
	// KeysURL is the certificate document to fetch. Default DefaultKeysURL.
	KeysURL string
	// HTTPClient fetches the keys. Default: a client with a 10-second timeout.
	HTTPClient *http.Client
	// ClockSkew is the tolerance applied to exp, iat and auth_time.
	// Default 1 minute; values above MaxClockSkew are lowered to it.
	ClockSkew time.Duration
	// DefaultKeyTTL is how long keys are cached when the response has no
	// Cache-Control max-age. Default 1 hour.
	DefaultKeyTTL time.Duration
	// MinRefreshInterval is the minimum time between two fetches triggered by
	// tokens naming an unknown key id. Default 1 minute.
	MinRefreshInterval time.Duration
	// FetchTimeout bounds one key fetch. Default 10 seconds.
	FetchTimeout time.Duration
	// Revocation, when set, makes every verification also reject tokens of
	// disabled users (ErrUserDisabled) and tokens whose auth_time precedes
	// the user's validSince (ErrTokenRevoked), as the Admin SDK's
	// VerifyIDTokenAndCheckRevoked does. Default nil (no check; it costs one
	// API call per verification).
	Revocation RevocationChecker
	// Now returns the current time. Default time.Now.
	Now func() time.Time
}

// Verifier verifies Firebase ID tokens for one project. It is safe for
// concurrent use.
type Verifier struct {
	projectID  string
	issuer     string
	skew       time.Duration
	revocation RevocationChecker
	now        func() time.Time
	keys       *keyCache
}

// NewVerifier returns a Verifier for tokens of the given Firebase project.
func NewVerifier(projectID string, cfg Config) (*Verifier, error) {
	if projectID == "" {
		return nil, errors.New("firebase: NewVerifier: project id is required")
	}
	cfg = cfg.withDefaults()
	return &Verifier{
		projectID:  projectID,
		issuer:     issuerPrefix + projectID,
		skew:       cfg.ClockSkew,
		revocation: cfg.Revocation,
		now:        cfg.Now,
		keys: &keyCache{
			url:        cfg.KeysURL,
			client:     cfg.HTTPClient,
			now:        cfg.Now,
			defaultTTL: cfg.DefaultKeyTTL,
			minRefresh: cfg.MinRefreshInterval,
			timeout:    cfg.FetchTimeout,
		},
	}, nil
}

// withDefaults fills in every unset field.
func (c Config) withDefaults() Config {
	if c.KeysURL == "" {
		c.KeysURL = DefaultKeysURL
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if c.ClockSkew <= 0 {
		c.ClockSkew = time.Minute
	}
	c.ClockSkew = min(c.ClockSkew, MaxClockSkew)
	if c.DefaultKeyTTL <= 0 {
		c.DefaultKeyTTL = time.Hour
	}
	if c.MinRefreshInterval <= 0 {
		c.MinRefreshInterval = time.Minute
	}
	if c.FetchTimeout <= 0 {
		c.FetchTimeout = 10 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// VerifyIDToken checks raw and returns its contents. Rejections wrap
// ErrInvalidToken (and ErrTokenExpired, ErrUnknownKey, ErrTokenRevoked or
// ErrUserDisabled where they apply); a failure to obtain Google's keys wraps
// ErrKeyFetch instead.
func (v *Verifier) VerifyIDToken(ctx context.Context, raw string) (*Token, error) {
	if raw == "" || len(raw) > maxTokenLength {
		return nil, fmt.Errorf("firebase: verify ID token: %w: empty or oversized", ErrInvalidToken)
	}
	claims, err := v.parse(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("firebase: verify ID token: %w", err)
	}
	tok := tokenFromClaims(claims)
	if err := v.checkClaims(tok); err != nil {
		return nil, fmt.Errorf("firebase: verify ID token: %w", err)
	}
	if v.revocation != nil {
		if err := v.checkRevoked(ctx, tok); err != nil {
			return nil, fmt.Errorf("firebase: verify ID token: %w", err)
		}
	}
	return tok, nil
}

// Authenticate verifies raw and returns its uid and claims. It is the adapter
// through which the auth middleware accepts Firebase ID tokens as an
// alternative to the application's own access tokens.
func (v *Verifier) Authenticate(ctx context.Context, raw string) (subject string, claims map[string]any, err error) {
	tok, err := v.VerifyIDToken(ctx, raw)
	if errors.Is(err, ErrKeyFetch) {
		// Google's keys are out of reach: answer 503, not 401.
		return "", nil, fmt.Errorf("%w: %w", auth.ErrUnavailable, err)
	}
	if err != nil {
		return "", nil, err
	}
	return tok.UID, tok.Claims, nil
}

// parse checks the signature, algorithm, iss, exp and iat. The audience is
// checked by checkClaims: jwt's WithAudience accepts an aud array that merely
// contains the project id.
func (v *Verifier) parse(ctx context.Context, raw string) (jwt.MapClaims, error) {
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
		jwt.WithIssuer(v.issuer),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(v.skew),
		jwt.WithTimeFunc(v.now),
	)
	claims := jwt.MapClaims{}
	_, err := parser.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, fmt.Errorf("%w: no kid header", ErrInvalidToken)
		}
		return v.keys.lookup(ctx, kid)
	})
	switch {
	case err == nil:
		return claims, nil
	case errors.Is(err, ErrKeyFetch) || errors.Is(err, ErrInvalidToken),
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return nil, err
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, ErrTokenExpired)
	default:
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
}

// checkClaims enforces the rules jwt's parser does not know about: aud must be
// the project id itself (a string, as Firebase issues it, not an array), iat
// must be present, sub must be a non-empty uid of at most 128 characters,
// auth_time, when present, must be a number not in the future.
func (v *Verifier) checkClaims(tok *Token) error {
	if aud, ok := tok.Claims["aud"].(string); !ok || aud != v.projectID {
		return fmt.Errorf("%w: aud must be the project id %q", ErrInvalidToken, v.projectID)
	}
	if at, ok := tok.Claims["auth_time"]; ok {
		if _, isNumber := at.(float64); !isNumber {
			return fmt.Errorf("%w: auth_time is not a number", ErrInvalidToken)
		}
	}
	if tok.IssuedAt.IsZero() {
		return fmt.Errorf("%w: no iat claim", ErrInvalidToken)
	}
	if tok.UID == "" || utf8.RuneCountInString(tok.UID) > maxUIDLength {
		return fmt.Errorf("%w: sub must be 1 to %d characters", ErrInvalidToken, maxUIDLength)
	}
	if tok.AuthTime.After(v.now().Add(v.skew)) {
		return fmt.Errorf("%w: auth_time in the future", ErrInvalidToken)
	}
	return nil
}

// checkRevoked rejects tokens of disabled users and tokens from sign-ins
// older than the user's validSince.
func (v *Verifier) checkRevoked(ctx context.Context, tok *Token) error {
	state, err := v.revocation.UserState(ctx, tok.UID)
	if err != nil {
		return fmt.Errorf("checking revocation: %w", err)
	}
	if state.Disabled {
		return fmt.Errorf("%w: %w", ErrInvalidToken, ErrUserDisabled)
	}
	validSince := state.TokensValidAfter
	signedIn := tok.AuthTime
	if signedIn.IsZero() {
		signedIn = tok.IssuedAt
	}
	if signedIn.Unix() < validSince.Unix() {
		return fmt.Errorf("%w: %w", ErrInvalidToken, ErrTokenRevoked)
	}
	return nil
}
