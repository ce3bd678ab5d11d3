package appstore

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"golang.org/x/crypto/ocsp"
)

// maxOCSPResponseBytes bounds an OCSP response body.
const maxOCSPResponseBytes = 64 << 10

// ocspClockSkew tolerates responder clocks slightly ahead of ours.
const ocspClockSkew = 5 * time.Minute

// ocspChecker asks a certificate's OCSP responder for its status and caches
// definite answers (good or revoked) in a small bounded cache.
type ocspChecker struct {
	client *http.Client
	now    func() time.Time
	ttl    time.Duration
	max    int

	mu    sync.Mutex
	cache map[string]ocspEntry
}

type ocspEntry struct {
	revoked bool
	expires time.Time
}

func newOCSPChecker(client *http.Client, now func() time.Time, size int, ttl time.Duration) *ocspChecker {
	return &ocspChecker{client: client, now: now, ttl: ttl, max: size, cache: make(map[string]ocspEntry)}
}

// check returns nil when cert (issued by issuer) is reported good,
// ErrCertificateRevoked when revoked and ErrRevocationCheckFailed otherwise.
func (o *ocspChecker) check(ctx context.Context, cert, issuer *x509.Certificate) error {
	key := ocspCacheKey(cert, issuer)
	if e, ok := o.lookup(key); ok {
		return e.err(cert)
	}
	e, err := o.query(ctx, cert, issuer)
	if err != nil {
		return err
	}
	o.store(key, e)
	return e.err(cert)
}

func (e ocspEntry) err(cert *x509.Certificate) error {
	if e.revoked {
		return fmt.Errorf("%w: serial %s", ErrCertificateRevoked, cert.SerialNumber)
	}
	return nil
}

// query performs one OCSP request and validates the response.
func (o *ocspChecker) query(ctx context.Context, cert, issuer *x509.Certificate) (ocspEntry, error) {
	if len(cert.OCSPServer) == 0 {
		return ocspEntry{}, fmt.Errorf("%w: certificate names no OCSP responder", ErrRevocationCheckFailed)
	}
	body, err := ocsp.CreateRequest(cert, issuer, &ocsp.RequestOptions{Hash: crypto.SHA256})
	if err != nil {
		return ocspEntry{}, fmt.Errorf("%w: build request: %v", ErrRevocationCheckFailed, err)
	}
	raw, err := o.post(ctx, cert.OCSPServer[0], body)
	if err != nil {
		return ocspEntry{}, err
	}
	resp, err := ocsp.ParseResponseForCert(raw, cert, issuer)
	if err != nil {
		return ocspEntry{}, fmt.Errorf("%w: parse response: %v", ErrRevocationCheckFailed, err)
	}
	now := o.now()
	if now.Add(ocspClockSkew).Before(resp.ThisUpdate) || (!resp.NextUpdate.IsZero() && now.After(resp.NextUpdate)) {
		return ocspEntry{}, fmt.Errorf("%w: stale response (thisUpdate %s, nextUpdate %s)",
			ErrRevocationCheckFailed, resp.ThisUpdate, resp.NextUpdate)
	}
	expires := now.Add(o.ttl)
	if !resp.NextUpdate.IsZero() && resp.NextUpdate.Before(expires) {
		expires = resp.NextUpdate
	}
	switch resp.Status {
	case ocsp.Good:
		return ocspEntry{expires: expires}, nil
	case ocsp.Revoked:
		return ocspEntry{revoked: true, expires: expires}, nil
	default:
		return ocspEntry{}, fmt.Errorf("%w: status unknown", ErrRevocationCheckFailed)
	}
}

func (o *ocspChecker) post(ctx context.Context, url string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRevocationCheckFailed, err)
	}
	req.Header.Set("Content-Type", "application/ocsp-request")
	req.Header.Set("Accept", "application/ocsp-response")
	resp, err := o.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRevocationCheckFailed, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: responder answered %s", ErrRevocationCheckFailed, resp.Status)
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxOCSPResponseBytes))
	if err != nil {
		return nil, fmt.Errorf("%w: read response: %v", ErrRevocationCheckFailed, err)
	}
	return raw, nil
}

func (o *ocspChecker) lookup(key string) (ocspEntry, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	e, ok := o.cache[key]
	if ok && !o.now().Before(e.expires) {
		delete(o.cache, key)
		return ocspEntry{}, false
	}
	return e, ok
}

// store adds e, first evicting expired entries and then, if still full, the
// entry closest to expiry.
func (o *ocspChecker) store(key string, e ocspEntry) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.cache[key]; !ok && len(o.cache) >= o.max {
		now := o.now()
		var soonest string
		for k, v := range o.cache {
			if !now.Before(v.expires) {
				delete(o.cache, k)
			} else if soonest == "" || v.expires.Before(o.cache[soonest].expires) {
				soonest = k
			}
		}
		if len(o.cache) >= o.max {
			delete(o.cache, soonest)
		}
	}
	o.cache[key] = e
}

// len reports the number of cached answers.
func (o *ocspChecker) len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.cache)
}

func ocspCacheKey(cert, issuer *x509.Certificate) string {
	sum := sha256.Sum256(issuer.RawSubjectPublicKeyInfo)
	return hex.EncodeToString(sum[:]) + "/" + cert.SerialNumber.String()
}
