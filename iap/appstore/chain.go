package appstore

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Apple's certificate extension OIDs that mark the App Store's signing
// certificates.
var (
	// OIDLeaf marks an App Store receipt-signing leaf certificate.
	OIDLeaf = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 11, 1}
	// OIDIntermediate marks Apple's Worldwide Developer Relations intermediate.
	OIDIntermediate = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 2, 1}
)

// signingChain is the parsed x5c header: leaf, intermediate and the root the
// signer claims. Only the leaf and intermediate are trusted after
// verification; the chain must end in a root the caller configured.
type signingChain struct {
	leaf, intermediate, root *x509.Certificate
}

// parseChain decodes the x5c header. Its entries are standard base64 DER (RFC
// 7515 section 4.1.6 says base64, not base64url, for x5c).
func parseChain(x5c []string) (*signingChain, error) {
	if len(x5c) != 3 {
		return nil, fmt.Errorf("%w: got %d", ErrInvalidChainLength, len(x5c))
	}
	certs := make([]*x509.Certificate, 3)
	for i, enc := range x5c {
		der, err := base64.StdEncoding.Strict().DecodeString(enc)
		if err != nil {
			return nil, fmt.Errorf("%w: entry %d: %v", ErrInvalidCertificate, i, err)
		}
		if certs[i], err = x509.ParseCertificate(der); err != nil {
			return nil, fmt.Errorf("%w: entry %d: %v", ErrInvalidCertificate, i, err)
		}
		certs[i].UnhandledCriticalExtensions = slices.DeleteFunc(certs[i].UnhandledCriticalExtensions,
			func(o asn1.ObjectIdentifier) bool { return o.Equal(OIDLeaf) || o.Equal(OIDIntermediate) })
	}
	return &signingChain{leaf: certs[0], intermediate: certs[1], root: certs[2]}, nil
}

// leafKey returns the leaf's P-256 public key.
func (c *signingChain) leafKey() (*ecdsa.PublicKey, error) {
	pub, ok := c.leaf.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		return nil, fmt.Errorf("%w: leaf key is not ECDSA P-256", ErrInvalidCertificate)
	}
	return pub, nil
}

// verify checks the chain against roots at time at, then Apple's OIDs, then
// (when checker is non-nil) OCSP status of the leaf and the intermediate.
func (c *signingChain) verify(ctx context.Context, roots *x509.CertPool, at time.Time, checker *ocspChecker) error {
	for _, cert := range []*x509.Certificate{c.leaf, c.intermediate} {
		if at.Before(cert.NotBefore) || at.After(cert.NotAfter) {
			return fmt.Errorf("%w: %q valid %s to %s, evaluated at %s", ErrCertificateExpired,
				cert.Subject.CommonName, cert.NotBefore.Format(time.RFC3339),
				cert.NotAfter.Format(time.RFC3339), at.Format(time.RFC3339))
		}
	}
	root, err := c.trustedRoot(roots, at)
	if err != nil {
		return err
	}
	if !hasExtension(c.leaf, OIDLeaf) {
		return ErrMissingLeafOID
	}
	if !hasExtension(c.intermediate, OIDIntermediate) {
		return ErrMissingIntermediateOID
	}
	if checker == nil {
		return nil
	}
	if err := checker.check(ctx, c.leaf, c.intermediate); err != nil {
		return fmt.Errorf("leaf: %w", err)
	}
	if err := checker.check(ctx, c.intermediate, root); err != nil {
		return fmt.Errorf("intermediate: %w", err)
	}
	return nil
}

// trustedRoot verifies leaf → intermediate → configured root at time at and
// returns the root.
func (c *signingChain) trustedRoot(roots *x509.CertPool, at time.Time) (*x509.Certificate, error) {
	inter := x509.NewCertPool()
	inter.AddCert(c.intermediate)
	chains, err := c.leaf.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		CurrentTime:   at,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		var invalid x509.CertificateInvalidError
		if errors.As(err, &invalid) && invalid.Reason == x509.Expired {
			return nil, fmt.Errorf("%w: %v", ErrCertificateExpired, err)
		}
		return nil, fmt.Errorf("%w: %v", ErrUntrustedChain, err)
	}
	for _, chain := range chains {
		if len(chain) == 3 && chain[1].Equal(c.intermediate) {
			return chain[2], nil
		}
	}
	return nil, fmt.Errorf("%w: no chain through the x5c intermediate", ErrUntrustedChain)
}

func hasExtension(cert *x509.Certificate, oid asn1.ObjectIdentifier) bool {
	return slices.ContainsFunc(cert.Extensions, func(e pkix.Extension) bool { return e.Id.Equal(oid) })
}
