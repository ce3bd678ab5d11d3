package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"

	"github.com/golang-jwt/jwt/v5"
)

// Key is one signing or verification key, identified by its "kid". Its
// algorithm is fixed: a token naming this kid with any other "alg" is
// rejected, which rules out algorithm-confusion attacks.
type Key struct {
	// ID is the "kid" header value.
	ID string
	// Method is the pinned algorithm.
	Method jwt.SigningMethod
	sign   any // []byte for HMAC, crypto.Signer otherwise; nil for verify-only
	verify any // []byte for HMAC, crypto.PublicKey otherwise
}

// HS256Key returns an HMAC-SHA256 key; the secret must be at least 32 bytes.
func HS256Key(id string, secret []byte) (Key, error) {
	if len(secret) < 32 {
		return Key{}, errors.New("auth: HS256 secret must be at least 32 bytes")
	}
	s := append([]byte(nil), secret...)
	return Key{ID: id, Method: jwt.SigningMethodHS256, sign: s, verify: s}, nil
}

// RS256Key returns an RSA PKCS#1 v1.5 SHA-256 signing key (2048 bits or more).
func RS256Key(id string, priv *rsa.PrivateKey) (Key, error) {
	if priv.N.BitLen() < 2048 {
		return Key{}, errors.New("auth: RSA keys must be at least 2048 bits")
	}
	return Key{ID: id, Method: jwt.SigningMethodRS256, sign: priv, verify: &priv.PublicKey}, nil
}

// ES256Key returns an ECDSA P-256 SHA-256 signing key.
func ES256Key(id string, priv *ecdsa.PrivateKey) (Key, error) {
	if priv.Curve != elliptic.P256() {
		return Key{}, errors.New("auth: ES256 needs a P-256 key")
	}
	return Key{ID: id, Method: jwt.SigningMethodES256, sign: priv, verify: &priv.PublicKey}, nil
}

// EdDSAKey returns an Ed25519 signing key.
func EdDSAKey(id string, priv ed25519.PrivateKey) (Key, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return Key{}, errors.New("auth: invalid Ed25519 private key")
	}
	return Key{ID: id, Method: jwt.SigningMethodEdDSA, sign: priv, verify: priv.Public()}, nil
}

// VerificationKey returns a verify-only key for a retired or external
// signer: pub is an *rsa.PublicKey (RS256), *ecdsa.PublicKey (ES256) or
// ed25519.PublicKey (EdDSA).
func VerificationKey(id string, pub crypto.PublicKey) (Key, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return Key{ID: id, Method: jwt.SigningMethodRS256, verify: k}, nil
	case *ecdsa.PublicKey:
		return Key{ID: id, Method: jwt.SigningMethodES256, verify: k}, nil
	case ed25519.PublicKey:
		return Key{ID: id, Method: jwt.SigningMethodEdDSA, verify: k}, nil
	default:
		return Key{}, fmt.Errorf("auth: unsupported public key type %T", pub)
	}
}

func (k Key) canSign() bool { return k.sign != nil }
