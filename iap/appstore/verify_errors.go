package appstore

import "errors"

// Errors returned by Verifier. Each failure has its own sentinel; the returned
// error wraps it with the operation and details, so test with errors.Is.
var (
	// ErrNoRootCertificates means NewVerifier was given no root certificates.
	ErrNoRootCertificates = errors.New("appstore: no root certificates")
	// ErrAppAppleIDRequired means NewVerifier was configured for Production
	// without an app Apple id.
	ErrAppAppleIDRequired = errors.New("appstore: app Apple id required in Production")

	// ErrMalformedJWS means the value is not three base64url segments or its
	// header is not JSON.
	ErrMalformedJWS = errors.New("appstore: malformed JWS")
	// ErrMalformedPayload means the payload segment is not base64url-encoded
	// JSON of the expected shape.
	ErrMalformedPayload = errors.New("appstore: malformed JWS payload")
	// ErrUnsupportedAlgorithm means the header's alg is not ES256.
	ErrUnsupportedAlgorithm = errors.New("appstore: JWS algorithm is not ES256")
	// ErrInvalidChainLength means the x5c header does not hold exactly three
	// certificates.
	ErrInvalidChainLength = errors.New("appstore: x5c must hold exactly three certificates")
	// ErrInvalidCertificate means an x5c entry is not base64 DER of an X.509
	// certificate, or the leaf key is not a P-256 ECDSA key.
	ErrInvalidCertificate = errors.New("appstore: invalid certificate in x5c")
	// ErrCertificateExpired means a certificate of the chain is not valid at
	// the evaluation time (signedDate, or now with online checks).
	ErrCertificateExpired = errors.New("appstore: certificate not valid at evaluation time")
	// ErrUntrustedChain means the leaf and intermediate do not chain to one of
	// the configured root certificates.
	ErrUntrustedChain = errors.New("appstore: certificate chain does not verify to a trusted root")
	// ErrMissingLeafOID means the leaf certificate lacks Apple's receipt-signing
	// OID 1.2.840.113635.100.6.11.1.
	ErrMissingLeafOID = errors.New("appstore: leaf certificate lacks OID 1.2.840.113635.100.6.11.1")
	// ErrMissingIntermediateOID means the intermediate certificate lacks
	// Apple's OID 1.2.840.113635.100.6.2.1.
	ErrMissingIntermediateOID = errors.New("appstore: intermediate certificate lacks OID 1.2.840.113635.100.6.2.1")
	// ErrCertificateRevoked means an OCSP responder reported a certificate of
	// the chain as revoked.
	ErrCertificateRevoked = errors.New("appstore: certificate revoked")
	// ErrRevocationCheckFailed means an online OCSP check could not give a
	// good answer (no responder, transport error, bad or unknown response).
	ErrRevocationCheckFailed = errors.New("appstore: OCSP revocation check failed")
	// ErrInvalidSignature means the ES256 signature does not match the leaf key.
	ErrInvalidSignature = errors.New("appstore: invalid JWS signature")
	// ErrBundleIDMismatch means the payload's bundle id is not the configured one.
	ErrBundleIDMismatch = errors.New("appstore: bundle id mismatch")
	// ErrAppAppleIDMismatch means a Production payload's app Apple id is not
	// the configured one.
	ErrAppAppleIDMismatch = errors.New("appstore: app Apple id mismatch")
	// ErrEnvironmentMismatch means the payload's environment is not the
	// configured one.
	ErrEnvironmentMismatch = errors.New("appstore: environment mismatch")
)
