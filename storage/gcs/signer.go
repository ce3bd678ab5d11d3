package gcs

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"

	"google.golang.org/api/iamcredentials/v1"
	"google.golang.org/api/option"
)

// Signer produces GOOG4-RSA-SHA256 signatures for a service account.
type Signer interface {
	// Email is the service account's address, used in X-Goog-Credential.
	Email() string
	// SignBlob returns the RSASSA-PKCS1-v1_5 SHA-256 signature of b.
	SignBlob(ctx context.Context, b []byte) ([]byte, error)
}

// ErrNoPrivateKey means the credentials hold no usable RSA private key.
var ErrNoPrivateKey = errors.New("gcs: no RSA private key in credentials")

// KeySigner signs with a service account's private key held in memory.
type KeySigner struct {
	email string
	key   *rsa.PrivateKey
}

var _ Signer = (*KeySigner)(nil)

// NewKeySigner returns a KeySigner for the service account email whose
// PEM-encoded PKCS#8 or PKCS#1 RSA private key is pemKey.
func NewKeySigner(email string, pemKey []byte) (*KeySigner, error) {
	block, _ := pem.Decode(pemKey)
	if block == nil {
		return nil, fmt.Errorf("%w: no PEM block", ErrNoPrivateKey)
	}
	var key any
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoPrivateKey, err)
	}
	rsaKey, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%w: key is %T", ErrNoPrivateKey, key)
	}
	return &KeySigner{email: email, key: rsaKey}, nil
}

// KeySignerFromJSON returns a KeySigner from a service-account key file.
func KeySignerFromJSON(credentialsJSON []byte) (*KeySigner, error) {
	var f struct {
		Type        string `json:"type"`
		ClientEmail string `json:"client_email"`
		PrivateKey  string `json:"private_key"`
	}
	if err := json.Unmarshal(credentialsJSON, &f); err != nil {
		return nil, fmt.Errorf("gcs: parse credentials: %w", err)
	}
	if f.Type != "service_account" || f.PrivateKey == "" || f.ClientEmail == "" {
		return nil, fmt.Errorf("%w: credentials of type %q", ErrNoPrivateKey, f.Type)
	}
	return NewKeySigner(f.ClientEmail, []byte(f.PrivateKey))
}

// Email returns the service account's address.
func (s *KeySigner) Email() string { return s.email }

// SignBlob signs b with the private key.
func (s *KeySigner) SignBlob(_ context.Context, b []byte) ([]byte, error) {
	sum := sha256.Sum256(b)
	return rsa.SignPKCS1v15(rand.Reader, s.key, crypto.SHA256, sum[:])
}

// IAMSigner signs through the IAM Credentials API (signBlob), for workloads
// whose credentials have no private key, such as GCE or Cloud Run metadata
// credentials. The calling identity needs the iam.serviceAccounts.signBlob
// permission on the service account.
type IAMSigner struct {
	email string
	svc   *iamcredentials.Service
}

var _ Signer = (*IAMSigner)(nil)

// NewIAMSigner returns an IAMSigner for the service account email. opts
// configure the IAM Credentials client (credentials, endpoint, HTTP client);
// by default it uses application default credentials.
func NewIAMSigner(ctx context.Context, email string, opts ...option.ClientOption) (*IAMSigner, error) {
	svc, err := iamcredentials.NewService(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("gcs: new IAM credentials client: %w", err)
	}
	return &IAMSigner{email: email, svc: svc}, nil
}

// Email returns the service account's address.
func (s *IAMSigner) Email() string { return s.email }

// SignBlob asks the IAM Credentials API to sign b with a Google-managed key of
// the service account.
func (s *IAMSigner) SignBlob(ctx context.Context, b []byte) ([]byte, error) {
	name := "projects/-/serviceAccounts/" + s.email
	req := &iamcredentials.SignBlobRequest{Payload: base64.StdEncoding.EncodeToString(b)}
	resp, err := s.svc.Projects.ServiceAccounts.SignBlob(name, req).Context(ctx).Do()
	if err != nil {
		return nil, wrapErr("sign blob", s.email, err)
	}
	sig, err := base64.StdEncoding.DecodeString(resp.SignedBlob)
	if err != nil {
		return nil, fmt.Errorf("gcs: sign blob: decode signature: %w", err)
	}
	return sig, nil
}
