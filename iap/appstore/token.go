package appstore

import (
	"crypto/ecdsa"
	"fmt"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// tokenAudience is the aud claim the App Store Server API requires.
const tokenAudience = "appstoreconnect-v1"

// tokenRefreshMargin is how long before expiry a cached token is replaced.
const tokenRefreshMargin = time.Minute

// tokenSource mints the ES256 bearer JWT for the App Store Server API and
// caches it until it is close to expiry.
type tokenSource struct {
	key      *ecdsa.PrivateKey
	keyID    string
	issuerID string
	bundleID string
	lifetime time.Duration
	now      func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

// Token returns a cached token or mints a new one.
func (s *tokenSource) Token() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if s.token != "" && now.Before(s.expires.Add(-tokenRefreshMargin)) {
		return s.token, nil
	}
	exp := now.Add(s.lifetime)
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{
		"iss": s.issuerID,
		"iat": now.Unix(),
		"exp": exp.Unix(),
		"aud": tokenAudience,
		"bid": s.bundleID,
	})
	tok.Header["kid"] = s.keyID
	signed, err := tok.SignedString(s.key)
	if err != nil {
		return "", fmt.Errorf("appstore: sign bearer token: %w", err)
	}
	s.token, s.expires = signed, exp
	return signed, nil
}
