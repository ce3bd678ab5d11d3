package firebase

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const testProject = "groundwork-test"

// signingKey is an RSA key with the self-signed certificate Google would publish for it.
type signingKey struct {
	kid     string
	private *rsa.PrivateKey
	certPEM string
}

// newSigningKey generates a 2048-bit key and a certificate for it.
func newSigningKey(t testing.TB, kid string) *signingKey {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("generating key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "securetoken.system.gserviceaccount.com"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatalf("creating certificate: %v", err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return &signingKey{kid: kid, private: priv, certPEM: string(certPEM)}
}

// sign mints an RS256 token with the key's kid.
func (k *signingKey) sign(t testing.TB, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = k.kid
	raw, err := tok.SignedString(k.private)
	if err != nil {
		t.Fatalf("signing: %v", err)
	}
	return raw
}

// keyServer is a fake of Google's securetoken certificate endpoint.
type keyServer struct {
	*httptest.Server
	mu           sync.Mutex
	certs        map[string]string
	cacheControl string
	status       int
	fetches      atomic.Int64
	fetched      chan struct{} // receives one value per completed fetch
}

// newKeyServer serves the given keys with "public, max-age=3600".
func newKeyServer(t testing.TB, keys ...*signingKey) *keyServer {
	t.Helper()
	ks := &keyServer{
		certs:        map[string]string{},
		cacheControl: "public, max-age=3600, must-revalidate, no-transform",
		status:       http.StatusOK,
		fetched:      make(chan struct{}, 100),
	}
	for _, k := range keys {
		ks.certs[k.kid] = k.certPEM
	}
	ks.Server = httptest.NewServer(http.HandlerFunc(ks.serve))
	t.Cleanup(ks.Close)
	return ks
}

func (ks *keyServer) serve(w http.ResponseWriter, r *http.Request) {
	defer func() { ks.fetched <- struct{}{} }()
	ks.fetches.Add(1)
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if r.Method != http.MethodGet {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	if ks.status != http.StatusOK {
		w.WriteHeader(ks.status)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Cache-Control", ks.cacheControl)
	if err := json.NewEncoder(w).Encode(ks.certs); err != nil {
		panic(fmt.Sprintf("encoding certs: %v", err))
	}
}

// add publishes another key.
func (ks *keyServer) add(k *signingKey) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	ks.certs[k.kid] = k.certPEM
}

// setStatus makes the server answer with status (200 restores normal service).
func (ks *keyServer) setStatus(status int) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	ks.status = status
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// validClaims returns the claims of a well-formed ID token issued at now.
func validClaims(now time.Time) jwt.MapClaims {
	return jwt.MapClaims{
		"iss":            "https://securetoken.google.com/" + testProject,
		"aud":            testProject,
		"auth_time":      now.Add(-10 * time.Minute).Unix(),
		"user_id":        "uid-123",
		"sub":            "uid-123",
		"iat":            now.Unix(),
		"exp":            now.Add(time.Hour).Unix(),
		"email":          "ada@example.com",
		"email_verified": true,
		"role":           "admin",
		"firebase": map[string]any{
			"identities":       map[string]any{"email": []any{"ada@example.com"}},
			"sign_in_provider": "password",
		},
	}
}

// newTestVerifier returns a verifier using ks and clock.
func newTestVerifier(t testing.TB, ks *keyServer, clock *fakeClock, cfg Config) *Verifier {
	t.Helper()
	cfg.KeysURL = ks.URL
	cfg.HTTPClient = ks.Client()
	cfg.Now = clock.Now
	v, err := NewVerifier(testProject, cfg)
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	return v
}
