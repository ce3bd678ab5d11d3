package main

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
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/groundwork-go/groundwork/httpx"
)

// fakeKeysURL is the address the verifier fetches in the default mode; the
// request never leaves the process (see fakeKeys.client).
const fakeKeysURL = "http://firebase-keys.local/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com"

// fakeKeys stands in for Google's securetoken key endpoint: one RSA key
// generated at start, published as an X.509 certificate under its key id in
// the JSON document Google serves, and a signer for ID tokens of the project.
type fakeKeys struct {
	project string
	kid     string
	key     *rsa.PrivateKey
	doc     []byte // {"<kid>": "<certificate PEM>"}
}

func newFakeKeys(project string) (*fakeKeys, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{CommonName: "securetoken.system.gserviceaccount.com"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(30 * 24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	kid := fmt.Sprintf("local-%x", now.UnixNano())
	doc, err := json.Marshal(map[string]string{kid: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))})
	if err != nil {
		return nil, err
	}
	return &fakeKeys{project: project, kid: kid, key: key, doc: doc}, nil
}

// ServeHTTP answers the key document the way Google does: JSON with a
// Cache-Control max-age the verifier caches it for.
func (f *fakeKeys) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Cache-Control", "public, max-age=3600, must-revalidate, no-transform")
	w.Write(f.doc)
}

// idToken mints an ID token shaped like Firebase's for uid, signed in at
// authTime and expiring at exp.
func (f *fakeKeys) idToken(uid, email string, authTime, exp time.Time) (string, error) {
	claims := jwt.MapClaims{
		"iss": "https://securetoken.google.com/" + f.project, "aud": f.project,
		"sub": uid, "user_id": uid, "auth_time": authTime.Unix(),
		"iat": authTime.Unix(), "exp": exp.Unix(),
		"firebase": map[string]any{"sign_in_provider": "password", "identities": map[string]any{}},
	}
	if email != "" {
		claims["email"], claims["email_verified"] = email, true
		claims["firebase"].(map[string]any)["identities"] = map[string]any{"email": []string{email}}
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = f.kid
	return tok.SignedString(f.key)
}

// mintInput is the body of POST /dev/firebase/id-token.
type mintInput struct {
	UID   string `json:"uid" validate:"required,max=128"`
	Email string `json:"email" validate:"omitempty,email,max=254"`
}

// mint answers a fresh one-hour ID token for the posted uid: what a
// Firebase client SDK would hand the app after sign-in.
func (f *fakeKeys) mint(w http.ResponseWriter, r *http.Request) {
	var in mintInput
	if err := httpx.Decode(w, r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	now := time.Now()
	raw, err := f.idToken(in.UID, in.Email, now, now.Add(time.Hour))
	if err != nil {
		httpx.WriteError(w, r, httpx.Internal(err))
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"id_token": raw})
}
