package auth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Token verification errors. Every one of them means "401: this token is not
// acceptable"; they are distinct so logs and tests can tell why.
var (
	ErrTokenInvalid   = errors.New("auth: token invalid")
	ErrTokenExpired   = errors.New("auth: token expired")
	ErrTokenWrongType = errors.New("auth: wrong token type")
	ErrTokenRevoked   = errors.New("auth: token revoked")
	ErrUnknownSubject = errors.New("auth: token subject no longer exists")
	ErrTokenTooLong   = errors.New("auth: token longer than TokenOptions.MaxLength")
)

// TokenOptions configures Tokens. The zero value works.
type TokenOptions struct {
	// AccessTTL is the access-token lifetime. Default 1 hour.
	AccessTTL time.Duration
	// RefreshTTL is the refresh-token lifetime. Default 24 hours.
	RefreshTTL time.Duration
	// Issuer, when set, is written to "iss" and required on verification.
	Issuer string
	// Audience, when set, is written to "aud" and required on verification.
	Audience string
	// Leeway is the clock skew tolerated for exp, nbf and iat. Default 5 s.
	Leeway time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// VerifiedCacheSize is how many verified tokens are remembered (by
	// their exact text) so that a token presented again skips signature
	// verification and decoding; expiry and not-before are still checked
	// every time. Default 10,000 (about 5 MB at most); negative disables.
	VerifiedCacheSize int
	// MaxLength is the longest token text accepted; a longer one is
	// rejected (ErrTokenTooLong, a 401) before any decoding, so oversized
	// bearer tokens cost nothing to refuse. Default 4096 bytes; tokens
	// Groundwork issues are under 600.
	MaxLength int
}

// Tokens issues and verifies signed tokens with a pinned key set: it signs
// with the current key and verifies with any listed key, each key bound to
// its own algorithm.
type Tokens struct {
	signing  Key
	keys     map[string]Key
	methods  []string
	opts     TokenOptions
	parser   *jwt.Parser
	verified *verifiedTokens
}

// NewTokens returns Tokens that sign with signing and also accept tokens
// signed by any of previous (keys being rotated out, verify-only keys).
func NewTokens(signing Key, opts TokenOptions, previous ...Key) (*Tokens, error) {
	if !signing.canSign() {
		return nil, errors.New("auth: the signing key has no private part")
	}
	if opts.AccessTTL <= 0 {
		opts.AccessTTL = time.Hour
	}
	if opts.RefreshTTL <= 0 {
		opts.RefreshTTL = 24 * time.Hour
	}
	if opts.Leeway <= 0 {
		opts.Leeway = 5 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxLength <= 0 {
		opts.MaxLength = 4096
	}
	if opts.VerifiedCacheSize == 0 {
		opts.VerifiedCacheSize = 10_000
	}
	t := &Tokens{signing: signing, keys: map[string]Key{}, opts: opts, verified: newVerifiedTokens(opts.VerifiedCacheSize)}
	seen := map[string]bool{}
	for _, k := range append([]Key{signing}, previous...) {
		if k.ID == "" {
			return nil, errors.New("auth: every key needs an ID (kid)")
		}
		if _, dup := t.keys[k.ID]; dup {
			return nil, fmt.Errorf("auth: duplicate key ID %q", k.ID)
		}
		t.keys[k.ID] = k
		if !seen[k.Method.Alg()] {
			seen[k.Method.Alg()] = true
			t.methods = append(t.methods, k.Method.Alg())
		}
	}
	popts := []jwt.ParserOption{
		jwt.WithValidMethods(t.methods),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(opts.Leeway),
		jwt.WithTimeFunc(opts.Now),
		jwt.WithJSONNumber(),
		jwt.WithStrictDecoding(),
	}
	if opts.Issuer != "" {
		popts = append(popts, jwt.WithIssuer(opts.Issuer))
	}
	if opts.Audience != "" {
		popts = append(popts, jwt.WithAudience(opts.Audience))
	}
	t.parser = jwt.NewParser(popts...)
	return t, nil
}

// TTL returns the lifetime of tokens of type typ.
func (t *Tokens) TTL(typ TokenType) time.Duration {
	if typ == RefreshToken {
		return t.opts.RefreshTTL
	}
	return t.opts.AccessTTL
}

// MaxTTL is the longest lifetime of any token these Tokens issue.
func (t *Tokens) MaxTTL() time.Duration { return max(t.opts.AccessTTL, t.opts.RefreshTTL) }

// Issue signs a token of type typ for session s: it carries the session's
// subject, id and credential epoch, and a refresh token also the session's
// generation. Applications start and refresh sessions through an
// Authenticator, which records them; Issue only signs.
func (t *Tokens) Issue(typ TokenType, s *Session) (string, *Claims, error) {
	if s == nil || s.Subject == "" || s.ID == "" {
		return "", nil, errors.New("auth: issue: a token needs a session with a subject and an id")
	}
	now := t.opts.Now()
	c := &Claims{
		Subject:   s.Subject,
		ID:        newTokenID(),
		Type:      typ,
		SessionID: s.ID,
		Epoch:     s.Epoch,
		IssuedAt:  Timestamp{now.Truncate(time.Microsecond)},
		NotBefore: jwt.NewNumericDate(now.Truncate(time.Second)),
		ExpiresAt: jwt.NewNumericDate(now.Add(t.TTL(typ))),
		Issuer:    t.opts.Issuer,
	}
	if typ == RefreshToken {
		c.Generation = s.Generation
	}
	if t.opts.Audience != "" {
		c.Audience = jwt.ClaimStrings{t.opts.Audience}
	}
	tok := jwt.NewWithClaims(t.signing.Method, c)
	tok.Header["kid"] = t.signing.ID
	raw, err := tok.SignedString(t.signing.sign)
	if err != nil {
		return "", nil, fmt.Errorf("auth: sign token: %w", err)
	}
	return raw, c, nil
}

// Parse verifies raw's signature, algorithm, kid, time claims, issuer and
// audience, and that it is of type want. It does not consult revocation;
// Authenticator does. The returned Claims may be shared with other callers
// that presented the same token: treat them as read-only.
func (t *Tokens) Parse(raw string, want TokenType) (*Claims, error) {
	if len(raw) > t.opts.MaxLength {
		return nil, fmt.Errorf("%w: %w (%d bytes)", ErrTokenInvalid, ErrTokenTooLong, len(raw))
	}
	if c, ok := t.verified.get(raw); ok {
		if err := recheck(c, t.opts.Now(), t.opts.Leeway); err != nil {
			t.verified.drop(raw)
			if errors.Is(err, jwt.ErrTokenExpired) {
				return nil, fmt.Errorf("%w: %w", ErrTokenExpired, err)
			}
			return nil, fmt.Errorf("%w: %w", ErrTokenInvalid, err)
		}
		if c.Type != want {
			return nil, fmt.Errorf("%w: got %q, want %q", ErrTokenWrongType, c.Type, want)
		}
		return c, nil
	}
	c, err := t.parse(raw, want)
	if err == nil {
		t.verified.put(raw, c)
	}
	return c, err
}

// parse is Parse without the verified-token cache.
func (t *Tokens) parse(raw string, want TokenType) (*Claims, error) {
	c := &Claims{}
	_, err := t.parser.ParseWithClaims(raw, c, t.keyFor)
	if err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return nil, fmt.Errorf("%w: %w", ErrTokenExpired, err)
		}
		return nil, fmt.Errorf("%w: %w", ErrTokenInvalid, err)
	}
	if c.Subject == "" || c.ID == "" || c.SessionID == "" {
		return nil, fmt.Errorf("%w: missing sub, jti or sid", ErrTokenInvalid)
	}
	if c.Type != want {
		return nil, fmt.Errorf("%w: got %q, want %q", ErrTokenWrongType, c.Type, want)
	}
	return c, nil
}

// keyFor finds the verification key named by the token's kid and checks
// that the token's alg is the one pinned to that key.
func (t *Tokens) keyFor(tok *jwt.Token) (any, error) {
	kid, _ := tok.Header["kid"].(string)
	k, ok := t.keys[kid]
	if !ok {
		return nil, fmt.Errorf("unknown kid %q", kid)
	}
	if tok.Method.Alg() != k.Method.Alg() {
		return nil, fmt.Errorf("alg %q does not match key %q (%s)", tok.Method.Alg(), kid, k.Method.Alg())
	}
	return k.verify, nil
}

// newTokenID returns 128 random bits, hex-encoded.
func newTokenID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
