package appstore

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

// fakeOCSP is an OCSP responder over HTTP that signs answers with the
// issuing CA's key, as Apple's responders do.
type fakeOCSP struct {
	srv *httptest.Server

	mu      sync.Mutex
	issuers map[string]ocspIssuer // by serial of the certificate asked about
	revoked map[string]bool
	unknown bool
	stale   bool
	calls   int
}

type ocspIssuer struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newFakeOCSP(t *testing.T) *fakeOCSP {
	t.Helper()
	f := &fakeOCSP{issuers: map[string]ocspIssuer{}, revoked: map[string]bool{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// serveChain registers the leaf and intermediate of p.
func (f *fakeOCSP) serveChain(p *testPKI) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.issuers[p.leaf.SerialNumber.String()] = ocspIssuer{p.intermediate, p.intermediateKey}
	f.issuers[p.intermediate.SerialNumber.String()] = ocspIssuer{p.root, p.rootKey}
}

func (f *fakeOCSP) requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

func (f *fakeOCSP) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	req, err := ocsp.ParseRequest(raw)
	if err != nil || r.Header.Get("Content-Type") != "application/ocsp-request" {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.calls++
	issuer, ok := f.issuers[req.SerialNumber.String()]
	tmpl := ocsp.Response{Status: ocsp.Good, SerialNumber: req.SerialNumber,
		ThisUpdate: time.Now().Add(-time.Minute), NextUpdate: time.Now().Add(time.Hour)}
	if f.revoked[req.SerialNumber.String()] {
		tmpl.Status, tmpl.RevokedAt = ocsp.Revoked, time.Now().Add(-time.Hour)
	}
	if f.unknown {
		tmpl.Status = ocsp.Unknown
	}
	if f.stale {
		tmpl.ThisUpdate, tmpl.NextUpdate = time.Now().Add(-2*time.Hour), time.Now().Add(-time.Hour)
	}
	f.mu.Unlock()
	if !ok {
		w.Write(ocsp.UnauthorizedErrorResponse)
		return
	}
	resp, err := ocsp.CreateResponse(issuer.cert, issuer.cert, tmpl, issuer.key)
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/ocsp-response")
	w.Write(resp)
}

func TestOnlineChecks(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(f *fakeOCSP, p *testPKI)
		wantErr   error
		wantCalls int
	}{
		{name: "good", wantCalls: 2},
		{name: "leaf revoked", setup: func(f *fakeOCSP, p *testPKI) { f.revoked[p.leaf.SerialNumber.String()] = true },
			wantErr: ErrCertificateRevoked, wantCalls: 1},
		{name: "intermediate revoked", setup: func(f *fakeOCSP, p *testPKI) { f.revoked[p.intermediate.SerialNumber.String()] = true },
			wantErr: ErrCertificateRevoked, wantCalls: 2},
		{name: "status unknown", setup: func(f *fakeOCSP, p *testPKI) { f.unknown = true }, wantErr: ErrRevocationCheckFailed, wantCalls: 1},
		{name: "stale response", setup: func(f *fakeOCSP, p *testPKI) { f.stale = true }, wantErr: ErrRevocationCheckFailed, wantCalls: 1},
		{name: "response signed by another CA", setup: func(f *fakeOCSP, p *testPKI) {
			other := newTestPKI(t, pkiSpec{})
			f.issuers[p.leaf.SerialNumber.String()] = ocspIssuer{other.intermediate, other.intermediateKey}
		}, wantErr: ErrRevocationCheckFailed, wantCalls: 1},
		{name: "responder does not know the certificate", setup: func(f *fakeOCSP, p *testPKI) { f.issuers = map[string]ocspIssuer{} },
			wantErr: ErrRevocationCheckFailed, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeOCSP(t)
			p := newTestPKI(t, pkiSpec{ocspURL: f.srv.URL})
			f.serveChain(p)
			if tt.setup != nil {
				f.mu.Lock()
				tt.setup(f, p)
				f.mu.Unlock()
			}
			v := newTestVerifier(t, p.root, Production, VerifierOptions{EnableOnlineChecks: true, HTTPClient: f.srv.Client()})
			_, err := v.VerifyTransaction(context.Background(), p.sign(t, testTransaction(Production, time.Now())))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if got := f.requests(); got != tt.wantCalls {
				t.Fatalf("got %d OCSP requests, want %d", got, tt.wantCalls)
			}
		})
	}
}

func TestOnlineChecksCache(t *testing.T) {
	f := newFakeOCSP(t)
	p := newTestPKI(t, pkiSpec{ocspURL: f.srv.URL})
	f.serveChain(p)
	var mu sync.Mutex
	clock := time.Now()
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	v := newTestVerifier(t, p.root, Production, VerifierOptions{EnableOnlineChecks: true, HTTPClient: f.srv.Client(),
		OCSPCacheTTL: 10 * time.Minute, Now: now})
	verify := func() {
		t.Helper()
		if _, err := v.VerifyTransaction(context.Background(), p.sign(t, testTransaction(Production, now()))); err != nil {
			t.Fatalf("got error %v, want nil", err)
		}
	}
	verify()
	verify()
	if got := f.requests(); got != 2 {
		t.Fatalf("got %d OCSP requests after two verifications, want 2 (cached)", got)
	}
	mu.Lock()
	clock = clock.Add(11 * time.Minute)
	mu.Unlock()
	verify()
	if got := f.requests(); got != 4 {
		t.Fatalf("got %d OCSP requests after the TTL, want 4", got)
	}
}

func TestOCSPCacheBounded(t *testing.T) {
	now := time.Now()
	c := newOCSPChecker(http.DefaultClient, func() time.Time { return now }, 3, time.Hour)
	issuer := &x509.Certificate{RawSubjectPublicKeyInfo: []byte("issuer")}
	for i := range 10 {
		cert := &x509.Certificate{SerialNumber: big.NewInt(int64(i))}
		c.store(ocspCacheKey(cert, issuer), ocspEntry{expires: now.Add(time.Duration(i+1) * time.Minute)})
	}
	if got := c.len(); got != 3 {
		t.Fatalf("got %d cached entries, want 3", got)
	}
	// The entries closest to expiry were evicted; the last three remain.
	for i := 7; i < 10; i++ {
		if _, ok := c.lookup(ocspCacheKey(&x509.Certificate{SerialNumber: big.NewInt(int64(i))}, issuer)); !ok {
			t.Fatalf("serial %d evicted, want it kept", i)
		}
	}
}
