package auth

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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
	// every time; tokens longer than 2 KB are not remembered. Default 10,000;
	// negative disables.
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
	opts     TokenOptions
	validate *jwt.Validator
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
	for _, k := range append([]Key{signing}, previous...) {
		if k.ID == "" {
			return nil, errors.New("auth: every key needs an ID (kid)")
		}
		if _, dup := t.keys[k.ID]; dup {
			return nil, fmt.Errorf("auth: duplicate key ID %q", k.ID)
		}
		t.keys[k.ID] = k
	}
	popts := []jwt.ParserOption{
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(opts.Leeway),
		jwt.WithTimeFunc(opts.Now),
	}
	if opts.Issuer != "" {
		popts = append(popts, jwt.WithIssuer(opts.Issuer))
	}
	if opts.Audience != "" {
		popts = append(popts, jwt.WithAudience(opts.Audience))
	}
	t.validate = jwt.NewValidator(popts...)
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

// parse is Parse without the verified-token cache. It checks the
// signature, with the key the header names and that key's algorithm alone,
// before it decodes the claims, so a forged token costs one small header
// decode and one signature check, whatever its payload.
func (t *Tokens) parse(raw string, want TokenType) (*Claims, error) {
	header, rest, ok1 := strings.Cut(raw, ".")
	payload, sig, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.IndexByte(sig, '.') >= 0 || len(header) > maxHeaderLen {
		return nil, fmt.Errorf("%w: malformed", ErrTokenInvalid)
	}
	k, err := t.headerKey(header)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTokenInvalid, err)
	}
	signature, err := segment.DecodeString(sig)
	if err != nil {
		return nil, fmt.Errorf("%w: signature encoding: %w", ErrTokenInvalid, err)
	}
	if err := k.Method.Verify(raw[:len(header)+1+len(payload)], signature, k.verify); err != nil {
		return nil, fmt.Errorf("%w: %w: %w", ErrTokenInvalid, jwt.ErrTokenSignatureInvalid, err)
	}
	body, err := segment.DecodeString(payload)
	if err != nil {
		return nil, fmt.Errorf("%w: payload encoding: %w", ErrTokenInvalid, err)
	}
	c := &Claims{}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(c); err != nil {
		return nil, fmt.Errorf("%w: claims: %w", ErrTokenInvalid, err)
	}
	if err := t.validate.Validate(c); err != nil {
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

// maxHeaderLen bounds the encoded JOSE header: Groundwork's are about 60
// bytes.
const maxHeaderLen = 512

// segment decodes the parts of a compact JWS: unpadded base64url, strict.
var segment = base64.RawURLEncoding.Strict()

// headerKey decodes the JOSE header and returns the verification key its
// kid names, checking that its alg is the one pinned to that key.
func (t *Tokens) headerKey(header string) (Key, error) {
	b, err := segment.DecodeString(header)
	if err != nil {
		return Key{}, fmt.Errorf("header encoding: %w", err)
	}
	var h struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return Key{}, fmt.Errorf("header: %w", err)
	}
	k, ok := t.keys[h.Kid]
	if !ok {
		return Key{}, fmt.Errorf("unknown kid %q", h.Kid)
	}
	if h.Alg != k.Method.Alg() {
		return Key{}, fmt.Errorf("alg %q does not match key %q (%s)", h.Alg, h.Kid, k.Method.Alg())
	}
	return k, nil
}

// newTokenID returns 128 random bits, hex-encoded.
func newTokenID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
