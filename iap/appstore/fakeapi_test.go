package appstore

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	testKeyID    = "2X9R4HXF34"
	testIssuerID = "57246542-96fe-1a63-e053-0824d011072a"
)

// fakeAPI is an httptest App Store Server API. Every request must carry a
// bearer JWT signed by the test key with the claims Apple requires;
// otherwise it gets 401 like the real service.
type fakeAPI struct {
	t   *testing.T
	srv *httptest.Server
	key *ecdsa.PrivateKey
	mux *http.ServeMux
	// now is the fake's clock for token checks; tests that move a client's
	// clock move this one too.
	now func() time.Time

	mu       sync.Mutex
	requests []fakeRequest
}

// fakeRequest is what the fake saw of one authenticated request.
type fakeRequest struct {
	method, path, query, body string
	token                     string
	claims                    jwt.MapClaims
}

func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t, key: newKey(t), mux: http.NewServeMux(), now: time.Now}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// keyPEM returns the private key as a .p8 file's contents.
func (f *fakeAPI) keyPEM(t *testing.T) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(f.key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// handle registers a ServeMux pattern with a handler.
func (f *fakeAPI) handle(pattern string, h http.HandlerFunc) { f.mux.HandleFunc(pattern, h) }

// reply registers a pattern answering status with body as JSON.
func (f *fakeAPI) reply(pattern string, status int, body any) {
	f.handle(pattern, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, status, body) })
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if body != nil {
		json.NewEncoder(w).Encode(body)
	}
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	claims, err := f.checkToken(token)
	if err != nil {
		f.t.Logf("fake API: rejecting token: %v", err)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, fakeRequest{method: r.Method, path: r.URL.EscapedPath(),
		query: r.URL.RawQuery, body: string(body), token: token, claims: claims})
	f.mu.Unlock()
	f.mux.ServeHTTP(w, r)
}

// checkToken verifies the bearer JWT as Apple does.
func (f *fakeAPI) checkToken(token string) (jwt.MapClaims, error) {
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		if t.Header["kid"] != testKeyID {
			return nil, fmt.Errorf("kid %v", t.Header["kid"])
		}
		return &f.key.PublicKey, nil
	}, jwt.WithValidMethods([]string{"ES256"}), jwt.WithAudience("appstoreconnect-v1"),
		jwt.WithIssuer(testIssuerID), jwt.WithIssuedAt(), jwt.WithExpirationRequired(), jwt.WithTimeFunc(f.now))
	if err != nil {
		return nil, err
	}
	if claims["bid"] != testBundleID {
		return nil, fmt.Errorf("bid %v", claims["bid"])
	}
	iat, _ := claims.GetIssuedAt()
	exp, _ := claims.GetExpirationTime()
	if iat == nil || exp.Sub(iat.Time) > time.Hour {
		return nil, fmt.Errorf("lifetime too long or no iat")
	}
	return claims, nil
}

// seen returns the requests received so far.
func (f *fakeAPI) seen() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeRequest(nil), f.requests...)
}

// newClient returns a client for the fake with fast retries.
func (f *fakeAPI) newClient(t *testing.T, opts ClientOptions) *Client {
	t.Helper()
	opts.BaseURL = f.srv.URL
	if opts.RetryBackoff == 0 {
		opts.RetryBackoff = time.Millisecond
	}
	c, err := NewClient(Credentials{PrivateKey: f.keyPEM(t), KeyID: testKeyID, IssuerID: testIssuerID,
		BundleID: testBundleID}, Production, opts)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}
