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
// IssuedAt carries microseconds (RFC 7519 allows a fractional NumericDate).
// Revocation never compares times: a token dies when its session ends or
// its credential epoch falls below the subject's current one.
type Claims struct {
	Subject string    `json:"sub"`
	ID      string    `json:"jti"`
	Type    TokenType `json:"typ"`
	// SessionID names the session the token belongs to ("sid"); every
	// token Groundwork issues has one.
	SessionID string `json:"sid"`
	// Epoch is the subject's credential epoch when the session was created
	// or last refreshed ("cep"). A credential change raises the epoch, which
	// rejects every token carrying a lower one.
	Epoch int64 `json:"cep"`
	// Generation is the rotation counter of a refresh token ("gen"): the
	// session accepts only the refresh token of its current generation, and
	// presenting an older one is reuse. Zero in access tokens.
	Generation uint64           `json:"gen,omitempty"`
	IssuedAt   Timestamp        `json:"iat"`
	NotBefore  *jwt.NumericDate `json:"nbf,omitempty"`
	ExpiresAt  *jwt.NumericDate `json:"exp,omitempty"`
	Issuer     string           `json:"iss,omitempty"`
	Audience   jwt.ClaimStrings `json:"aud,omitempty"`
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
