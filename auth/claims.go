package auth

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TokenType tells access tokens from refresh tokens; it travels in the
// "typ" claim and a token of the wrong type is always rejected.
type TokenType string

// The two token types.
const (
	AccessToken  TokenType = "access"
	RefreshToken TokenType = "refresh"
)

// Claims are the JWT claims Groundwork issues and verifies.
//
// IssuedAt carries microseconds (RFC 7519 allows a fractional NumericDate),
// so a per-user revocation cut-off can tell a token issued just before it
// from one issued just after it within the same second.
type Claims struct {
	Subject   string           `json:"sub"`
	ID        string           `json:"jti"`
	Type      TokenType        `json:"typ"`
	IssuedAt  Timestamp        `json:"iat"`
	NotBefore *jwt.NumericDate `json:"nbf,omitempty"`
	ExpiresAt *jwt.NumericDate `json:"exp,omitempty"`
	Issuer    string           `json:"iss,omitempty"`
	Audience  jwt.ClaimStrings `json:"aud,omitempty"`
}

var _ jwt.Claims = (*Claims)(nil)

// GetExpirationTime implements jwt.Claims.
func (c *Claims) GetExpirationTime() (*jwt.NumericDate, error) { return c.ExpiresAt, nil }

// GetIssuedAt implements jwt.Claims.
func (c *Claims) GetIssuedAt() (*jwt.NumericDate, error) {
	if c.IssuedAt.IsZero() {
		return nil, nil
	}
	return &jwt.NumericDate{Time: c.IssuedAt.Time}, nil
}

// GetNotBefore implements jwt.Claims.
func (c *Claims) GetNotBefore() (*jwt.NumericDate, error) { return c.NotBefore, nil }

// GetIssuer implements jwt.Claims.
func (c *Claims) GetIssuer() (string, error) { return c.Issuer, nil }

// GetSubject implements jwt.Claims.
func (c *Claims) GetSubject() (string, error) { return c.Subject, nil }

// GetAudience implements jwt.Claims.
func (c *Claims) GetAudience() (jwt.ClaimStrings, error) { return c.Audience, nil }

// Expiry returns the token's expiry time (zero when absent).
func (c *Claims) Expiry() time.Time {
	if c.ExpiresAt == nil {
		return time.Time{}
	}
	return c.ExpiresAt.Time
}

// Timestamp is a NumericDate with microsecond precision.
type Timestamp struct{ time.Time }

// MarshalJSON writes seconds since the epoch with six decimals.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	us := t.UnixMicro()
	return []byte(strconv.FormatInt(us/1e6, 10) + "." + pad6(us%1e6)), nil
}

// UnmarshalJSON reads an integer or fractional NumericDate.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	f, err := n.Float64()
	if err != nil {
		return err
	}
	sec, frac := int64(f), f-float64(int64(f))
	t.Time = time.Unix(sec, int64(frac*1e6+0.5)*1e3)
	return nil
}

func pad6(n int64) string {
	s := strconv.FormatInt(n, 10)
	for len(s) < 6 {
		s = "0" + s
	}
	return s
}
