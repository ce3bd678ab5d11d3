package appstore

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"math/big"
	"net/http"
	"time"
)

// Default values of VerifierOptions.
const (
	// DefaultOCSPCacheSize is the default number of OCSP answers kept.
	DefaultOCSPCacheSize = 32
	// DefaultOCSPCacheTTL is the default longest time an OCSP answer is kept.
	DefaultOCSPCacheTTL = 15 * time.Minute
	// DefaultOCSPTimeout is the timeout of the default OCSP HTTP client.
	DefaultOCSPTimeout = 10 * time.Second
)

// VerifierOptions configures a Verifier. The zero value verifies offline.
type VerifierOptions struct {
	// AppAppleID is the app's Apple id, compared with the payload's in
	// Production. Required when the environment is Production; ignored
	// otherwise.
	AppAppleID int64
	// EnableOnlineChecks evaluates the chain at the current time and checks
	// the leaf and intermediate with their OCSP responders. Default false:
	// the chain is evaluated at the payload's signedDate, with no network
	// access, so old transactions stay verifiable after certificates expire.
	EnableOnlineChecks bool
	// HTTPClient sends OCSP requests. Default: a client with a
	// DefaultOCSPTimeout timeout.
	HTTPClient *http.Client
	// OCSPCacheSize bounds the number of cached OCSP answers. Default
	// DefaultOCSPCacheSize.
	OCSPCacheSize int
	// OCSPCacheTTL is the longest an OCSP answer is reused; an answer is
	// never kept past its nextUpdate. Default DefaultOCSPCacheTTL.
	OCSPCacheTTL time.Duration
	// Now returns the current time. Default time.Now.
	Now func() time.Time
}

// Verifier verifies and decodes data signed by the App Store. It is safe for
// concurrent use.
type Verifier struct {
	roots      *x509.CertPool
	bundleID   string
	env        Environment
	appAppleID int64
	online     bool
	now        func() time.Time
	ocsp       *ocspChecker
}

// NewVerifier returns a Verifier that trusts the given root certificates
// (Apple's AppleRootCA-G3, from https://www.apple.com/certificateauthority/)
// and accepts data for bundleID in env.
func NewVerifier(roots []*x509.Certificate, bundleID string, env Environment, opts VerifierOptions) (*Verifier, error) {
	if len(roots) == 0 {
		return nil, ErrNoRootCertificates
	}
	if env == Production && opts.AppAppleID == 0 {
		return nil, ErrAppAppleIDRequired
	}
	pool := x509.NewCertPool()
	for _, r := range roots {
		pool.AddCert(r)
	}
	v := &Verifier{roots: pool, bundleID: bundleID, env: env, appAppleID: opts.AppAppleID,
		online: opts.EnableOnlineChecks, now: opts.Now}
	if v.now == nil {
		v.now = time.Now
	}
	if v.online {
		v.ocsp = newOCSPChecker(ocspClient(opts.HTTPClient), v.now,
			positiveOr(opts.OCSPCacheSize, DefaultOCSPCacheSize), positiveOr(opts.OCSPCacheTTL, DefaultOCSPCacheTTL))
	}
	return v, nil
}

func ocspClient(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return &http.Client{Timeout: DefaultOCSPTimeout}
}

func positiveOr[T ~int | ~int64](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// VerifyTransaction verifies a signed transaction (signedTransactionInfo) and
// checks its bundle id and environment.
func (v *Verifier) VerifyTransaction(ctx context.Context, signed string) (*Transaction, error) {
	return verifyAs(ctx, v, "transaction", signed, func(tx *Transaction) error {
		return v.checkApp(tx.BundleID, v.appAppleID, tx.Environment)
	})
}

// VerifyRenewalInfo verifies signed subscription renewal information
// (signedRenewalInfo) and checks its environment; it carries no bundle id.
func (v *Verifier) VerifyRenewalInfo(ctx context.Context, signed string) (*RenewalInfo, error) {
	return verifyAs(ctx, v, "renewal info", signed, func(ri *RenewalInfo) error {
		return v.checkApp(v.bundleID, v.appAppleID, ri.Environment)
	})
}

// VerifyAppTransaction verifies a signed app transaction and checks its
// bundle id, app Apple id (in Production) and environment (receiptType).
func (v *Verifier) VerifyAppTransaction(ctx context.Context, signed string) (*AppTransaction, error) {
	return verifyAs(ctx, v, "app transaction", signed, func(at *AppTransaction) error {
		return v.checkApp(at.BundleID, at.AppAppleID, at.ReceiptType)
	})
}

// VerifyNotification verifies a notification's signedPayload, checks its
// bundle id, app Apple id (in Production) and environment, and then verifies
// the nested signed transaction, renewal information and app transaction, if
// present, into Data.Transaction, Data.RenewalInfo and AppData.AppTransaction.
func (v *Verifier) VerifyNotification(ctx context.Context, signedPayload string) (*Notification, error) {
	return verifyAs(ctx, v, "notification", signedPayload, func(n *Notification) error {
		if err := v.checkApp(n.appIdentity()); err != nil {
			return err
		}
		if err := v.verifyNested(ctx, n.Data); err != nil {
			return err
		}
		return v.verifyAppData(ctx, n.AppData)
	})
}

// verifyAppData verifies the signed app transaction of a notification's appData.
func (v *Verifier) verifyAppData(ctx context.Context, d *NotificationAppData) error {
	if d == nil || d.SignedAppTransactionInfo == "" {
		return nil
	}
	var err error
	if d.AppTransaction, err = v.VerifyAppTransaction(ctx, d.SignedAppTransactionInfo); err != nil {
		return fmt.Errorf("signedAppTransactionInfo: %w", err)
	}
	return nil
}

// verifyAs verifies signed into a new T and then runs check on it; errors
// name the kind of value.
func verifyAs[T any](ctx context.Context, v *Verifier, kind, signed string, check func(*T) error) (*T, error) {
	var out T
	err := v.verifySigned(ctx, signed, &out)
	if err == nil {
		err = check(&out)
	}
	if err != nil {
		return nil, fmt.Errorf("appstore: verify %s: %w", kind, err)
	}
	return &out, nil
}

func (v *Verifier) verifyNested(ctx context.Context, d *NotificationData) error {
	if d == nil {
		return nil
	}
	var err error
	if d.SignedTransactionInfo != "" {
		if d.Transaction, err = v.VerifyTransaction(ctx, d.SignedTransactionInfo); err != nil {
			return fmt.Errorf("signedTransactionInfo: %w", err)
		}
	}
	if d.SignedRenewalInfo != "" {
		if d.RenewalInfo, err = v.VerifyRenewalInfo(ctx, d.SignedRenewalInfo); err != nil {
			return fmt.Errorf("signedRenewalInfo: %w", err)
		}
	}
	return nil
}

// appIdentity returns the app and environment a notification is about, from
// whichever of data, appData, summary or externalPurchaseToken it carries.
func (n *Notification) appIdentity() (string, int64, Environment) {
	switch {
	case n.Data != nil:
		return n.Data.BundleID, n.Data.AppAppleID, n.Data.Environment
	case n.AppData != nil:
		return n.AppData.BundleID, n.AppData.AppAppleID, n.AppData.Environment
	case n.Summary != nil:
		return n.Summary.BundleID, n.Summary.AppAppleID, n.Summary.Environment
	case n.ExternalPurchaseToken != nil:
		t := n.ExternalPurchaseToken
		env := Production
		if len(t.ExternalPurchaseID) >= 7 && t.ExternalPurchaseID[:7] == "SANDBOX" {
			env = Sandbox
		}
		return t.BundleID, t.AppAppleID, env
	}
	return "", 0, ""
}

// checkApp compares identity fields with the configuration. Callers pass the
// configured value for a field their payload does not carry.
func (v *Verifier) checkApp(bundleID string, appAppleID int64, env Environment) error {
	if bundleID != v.bundleID {
		return fmt.Errorf("%w: got %q", ErrBundleIDMismatch, bundleID)
	}
	if v.env == Production && appAppleID != v.appAppleID {
		return fmt.Errorf("%w: got %d", ErrAppAppleIDMismatch, appAppleID)
	}
	if env != v.env {
		return fmt.Errorf("%w: got %q", ErrEnvironmentMismatch, env)
	}
	return nil
}

// verifySigned checks the JWS signature and chain and decodes the payload
// into dst. In the Xcode and LocalTesting environments only decoding is done.
func (v *Verifier) verifySigned(ctx context.Context, signed string, dst any) error {
	t, err := parseJWS(signed)
	if err != nil {
		return err
	}
	if v.env.skipsVerification() {
		return t.decodePayload(dst)
	}
	if t.header.Alg != "ES256" {
		return fmt.Errorf("%w: got %q", ErrUnsupportedAlgorithm, t.header.Alg)
	}
	chain, err := parseChain(t.header.X5C)
	if err != nil {
		return err
	}
	var dated struct {
		SignedDate Timestamp `json:"signedDate"`
	}
	if err := t.decodePayload(&dated); err != nil {
		return err
	}
	if err := chain.verify(ctx, v.roots, v.evaluationTime(dated.SignedDate), v.ocsp); err != nil {
		return err
	}
	if err := verifyES256(chain, t); err != nil {
		return err
	}
	return t.decodePayload(dst)
}

// evaluationTime is the instant the chain must be valid at: now with online
// checks or without a signedDate, else the signing date.
func (v *Verifier) evaluationTime(signedDate Timestamp) time.Time {
	if v.online || signedDate == 0 {
		return v.now()
	}
	return signedDate.Time()
}

// verifyES256 checks a JWS ES256 signature: 64 bytes R‖S over SHA-256 of the
// signing input, made with the leaf key.
func verifyES256(chain *signingChain, t *jws) error {
	pub, err := chain.leafKey()
	if err != nil {
		return err
	}
	if len(t.signature) != 64 {
		return fmt.Errorf("%w: %d signature bytes, want 64", ErrInvalidSignature, len(t.signature))
	}
	r := new(big.Int).SetBytes(t.signature[:32])
	s := new(big.Int).SetBytes(t.signature[32:])
	digest := sha256.Sum256([]byte(t.signingInput))
	if !ecdsa.Verify(pub, digest[:], r, s) {
		return ErrInvalidSignature
	}
	return nil
}
