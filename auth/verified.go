package auth

import (
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// maxCachedTokenLen bounds the tokens the verified cache keeps; anything
// longer is verified every time.
const maxCachedTokenLen = 2048

// verifiedTokens remembers tokens whose signature and claims have been
// verified, keyed by their exact text, so a token presented again skips
// the HMAC/signature check and JSON decoding. Only the time-dependent
// checks (exp, nbf) are repeated. The key set of a Tokens never changes, so
// a token that verified once verifies again until it expires.
type verifiedTokens struct {
	max int
	mu  sync.RWMutex
	m   map[string]*Claims
}

func newVerifiedTokens(max int) *verifiedTokens {
	if max <= 0 {
		return nil
	}
	return &verifiedTokens{max: max, m: make(map[string]*Claims, max)}
}

func (v *verifiedTokens) get(raw string) (*Claims, bool) {
	if v == nil {
		return nil, false
	}
	v.mu.RLock()
	c, ok := v.m[raw]
	v.mu.RUnlock()
	return c, ok
}

func (v *verifiedTokens) put(raw string, c *Claims) {
	if v == nil || len(raw) > maxCachedTokenLen {
		return
	}
	v.mu.Lock()
	if len(v.m) >= v.max {
		// Drop about a quarter, in map order (effectively random).
		n := v.max / 4
		for k := range v.m {
			delete(v.m, k)
			if n--; n <= 0 {
				break
			}
		}
	}
	v.m[raw] = c
	v.mu.Unlock()
}

func (v *verifiedTokens) drop(raw string) {
	v.mu.Lock()
	delete(v.m, raw)
	v.mu.Unlock()
}

// recheck repeats the time-dependent checks of a cached token at now.
func recheck(c *Claims, now time.Time, leeway time.Duration) error {
	if c.ExpiresAt == nil || !now.Before(c.ExpiresAt.Add(leeway)) {
		return jwt.ErrTokenExpired
	}
	if c.NotBefore != nil && now.Add(leeway).Before(c.NotBefore.Time) {
		return jwt.ErrTokenNotValidYet
	}
	return nil
}
