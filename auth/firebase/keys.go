package firebase

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// maxKeysResponse bounds the size of the certificate document we accept.
const maxKeysResponse = 1 << 20

// keyCache holds Google's securetoken public keys, keyed by kid.
//
// Keys are valid until expires (the response's max-age after the fetch). Past
// refreshAt (90% of the lifetime) a lookup still answers from the cache but
// starts one background refresh. A lookup for an unknown kid refreshes
// synchronously unless a fetch happened within minRefresh. All fetches go
// through one singleflight group, so concurrent callers share one request.
type keyCache struct {
	url        string
	client     *http.Client
	now        func() time.Time
	defaultTTL time.Duration
	minRefresh time.Duration
	timeout    time.Duration

	group singleflight.Group

	mu        sync.Mutex
	keys      map[string]*rsa.PublicKey
	fetchedAt time.Time
	refreshAt time.Time
	expires   time.Time
	gen       uint64 // incremented by every successful fetch
}

// lookup returns the public key for kid, fetching the key set when the cache is
// empty, expired or does not know kid.
func (c *keyCache) lookup(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	key, gen, state := c.cached(kid)
	switch state {
	case cacheFresh:
		return key, nil
	case cacheStale:
		c.refreshInBackground(gen)
		return key, nil
	case cacheUnknownKid:
		if !c.mayRefresh() {
			return nil, fmt.Errorf("%w: %w: kid %q", ErrInvalidToken, ErrUnknownKey, kid)
		}
	}
	if err := c.refresh(ctx, gen); err != nil {
		return nil, err
	}
	key, _, state = c.cached(kid)
	if state == cacheExpired {
		// The fresh response itself was already expired (max-age=0); use it once.
		c.mu.Lock()
		key = c.keys[kid]
		c.mu.Unlock()
	}
	if key == nil {
		return nil, fmt.Errorf("%w: %w: kid %q", ErrInvalidToken, ErrUnknownKey, kid)
	}
	return key, nil
}

type cacheState int

const (
	cacheFresh cacheState = iota
	cacheStale
	cacheExpired
	cacheUnknownKid
)

// cached reports what the cache holds for kid right now, and the generation it saw.
func (c *keyCache) cached(kid string) (*rsa.PublicKey, uint64, cacheState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.keys == nil || !now.Before(c.expires) {
		return nil, c.gen, cacheExpired
	}
	key, ok := c.keys[kid]
	switch {
	case !ok:
		return nil, c.gen, cacheUnknownKid
	case !now.Before(c.refreshAt):
		return key, c.gen, cacheStale
	default:
		return key, c.gen, cacheFresh
	}
}

// mayRefresh reports whether an unknown kid may trigger a fetch: not more than
// once per minRefresh, so forged kids cannot make us hammer the key endpoint.
func (c *keyCache) mayRefresh() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.now().Before(c.fetchedAt.Add(c.minRefresh))
}

// refresh fetches the key set unless a fetch newer than generation seen has
// already completed. Concurrent calls share one fetch; the fetch itself is not
// cancelled when one waiting caller gives up.
func (c *keyCache) refresh(ctx context.Context, seen uint64) error {
	if err := ctx.Err(); err != nil {
		// A caller that has already given up starts no fetch (and the
		// select below could otherwise pick a fetch that raced ahead).
		return fmt.Errorf("firebase: waiting for public keys: %w", err)
	}
	ch := c.group.DoChan("keys", func() (any, error) {
		c.mu.Lock()
		done := c.gen > seen
		c.mu.Unlock()
		if done {
			return nil, nil
		}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
		defer cancel()
		return nil, c.fetch(fctx)
	})
	select {
	case res := <-ch:
		return res.Err
	case <-ctx.Done():
		return fmt.Errorf("firebase: waiting for public keys: %w", ctx.Err())
	}
}

// refreshInBackground starts a refresh nobody waits for; errors leave the
// current keys in place until they expire.
func (c *keyCache) refreshInBackground(seen uint64) {
	c.group.DoChan("keys", func() (any, error) {
		c.mu.Lock()
		done := c.gen > seen
		c.mu.Unlock()
		if done {
			return nil, nil
		}
		ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
		defer cancel()
		return nil, c.fetch(ctx)
	})
}

// fetch downloads and parses the certificate document and installs it.
func (c *keyCache) fetch(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrKeyFetch, err)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrKeyFetch, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: GET %s: status %d", ErrKeyFetch, c.url, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxKeysResponse+1))
	if err != nil {
		return fmt.Errorf("%w: reading body: %w", ErrKeyFetch, err)
	}
	if len(body) > maxKeysResponse {
		return fmt.Errorf("%w: response larger than %d bytes", ErrKeyFetch, maxKeysResponse)
	}
	keys, err := parseCertificates(body)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrKeyFetch, err)
	}
	ttl := cacheLifetime(resp.Header, c.defaultTTL)
	c.install(keys, ttl)
	return nil
}

// install replaces the key set and schedules its refresh and expiry.
func (c *keyCache) install(keys map[string]*rsa.PublicKey, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	c.keys = keys
	c.fetchedAt = now
	c.expires = now.Add(ttl)
	c.refreshAt = now.Add(ttl * 9 / 10)
	c.gen++
}

// parseCertificates reads Google's {"kid": "PEM certificate", ...} document
// and returns the RSA public keys it contains.
func parseCertificates(body []byte) (map[string]*rsa.PublicKey, error) {
	var certs map[string]string
	if err := json.Unmarshal(body, &certs); err != nil {
		return nil, fmt.Errorf("decoding certificates: %w", err)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("no certificates in response")
	}
	keys := make(map[string]*rsa.PublicKey, len(certs))
	for kid, certPEM := range certs {
		key, err := parseRSACertificate(certPEM)
		if err != nil {
			return nil, fmt.Errorf("certificate %q: %w", kid, err)
		}
		keys[kid] = key
	}
	return keys, nil
}

// parseRSACertificate extracts the RSA public key from one PEM certificate.
func parseRSACertificate(certPEM string) (*rsa.PublicKey, error) {
	block, _ := pem.Decode([]byte(certPEM))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("not a PEM certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, err
	}
	key, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("public key is %T, want RSA", cert.PublicKey)
	}
	return key, nil
}
