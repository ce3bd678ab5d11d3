package appstore

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"sync/atomic"
	"time"
)

// fataler is the part of *testing.T the PKI helpers need, so that examples
// can use them too.
type fataler interface {
	Helper()
	Fatal(args ...any)
}

// pkiSpec describes a test certificate chain; the zero value is a valid
// Apple-like chain around the current time.
type pkiSpec struct {
	noLeafOID, noIntermediateOID bool
	leafNotBefore, leafNotAfter  time.Time
	ocspURL                      string
}

// testPKI is a root → intermediate → leaf chain generated at run time.
type testPKI struct {
	root, intermediate, leaf          *x509.Certificate
	rootKey, intermediateKey, leafKey *ecdsa.PrivateKey
}

// testSerial hands out unique certificate serial numbers.
var testSerial atomic.Int64

func newTestPKI(t fataler, spec pkiSpec) *testPKI {
	t.Helper()
	now := time.Now()
	p := &testPKI{rootKey: newKey(t), intermediateKey: newKey(t), leafKey: newKey(t)}
	p.root = issue(t, &x509.Certificate{
		Subject: pkix.Name{CommonName: "Test Root CA - G3"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage:  x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		NotBefore: now.Add(-10 * 365 * 24 * time.Hour), NotAfter: now.Add(10 * 365 * 24 * time.Hour),
	}, nil, &p.rootKey.PublicKey, p.rootKey)
	inter := &x509.Certificate{
		Subject: pkix.Name{CommonName: "Test WWDR CA G6"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage:  x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		NotBefore: now.Add(-5 * 365 * 24 * time.Hour), NotAfter: now.Add(5 * 365 * 24 * time.Hour),
	}
	if !spec.noIntermediateOID {
		inter.ExtraExtensions = []pkix.Extension{{Id: OIDIntermediate, Value: []byte{5, 0}}}
	}
	if spec.ocspURL != "" {
		inter.OCSPServer = []string{spec.ocspURL}
	}
	p.intermediate = issue(t, inter, p.root, &p.intermediateKey.PublicKey, p.rootKey)
	leaf := &x509.Certificate{
		Subject:   pkix.Name{CommonName: "Test Receipt Signing"},
		KeyUsage:  x509.KeyUsageDigitalSignature,
		NotBefore: now.Add(-365 * 24 * time.Hour), NotAfter: now.Add(365 * 24 * time.Hour),
	}
	if !spec.leafNotBefore.IsZero() {
		leaf.NotBefore, leaf.NotAfter = spec.leafNotBefore, spec.leafNotAfter
	}
	if !spec.noLeafOID {
		leaf.ExtraExtensions = []pkix.Extension{{Id: OIDLeaf, Value: []byte{5, 0}}}
	}
	if spec.ocspURL != "" {
		leaf.OCSPServer = []string{spec.ocspURL}
	}
	p.leaf = issue(t, leaf, p.intermediate, &p.leafKey.PublicKey, p.intermediateKey)
	return p
}

func newKey(t fataler) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func issue(t fataler, tmpl, parent *x509.Certificate, pub *ecdsa.PublicKey, signer *ecdsa.PrivateKey) *x509.Certificate {
	t.Helper()
	tmpl.SerialNumber = big.NewInt(1000 + testSerial.Add(1))
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// x5c returns the chain as an x5c header value.
func (p *testPKI) x5c() []string {
	var out []string
	for _, c := range []*x509.Certificate{p.leaf, p.intermediate, p.root} {
		out = append(out, base64.StdEncoding.EncodeToString(c.Raw))
	}
	return out
}

// sign returns payload as a compact ES256 JWS signed by the leaf key.
func (p *testPKI) sign(t fataler, payload any) string {
	t.Helper()
	return p.signWith(t, map[string]any{"alg": "ES256", "x5c": p.x5c()}, mustJSON(t, payload))
}

// signWith signs an arbitrary header and raw payload.
func (p *testPKI) signWith(t fataler, header map[string]any, payload []byte) string {
	t.Helper()
	input := b64(mustJSON(t, header)) + "." + b64(payload)
	return input + "." + b64(signES256(t, p.leafKey, input))
}

func signES256(t fataler, key *ecdsa.PrivateKey, input string) []byte {
	t.Helper()
	digest := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return sig
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func mustJSON(t fataler, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
