package appstore

import (
	"context"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"
)

const (
	testBundleID   = "com.example.app"
	testAppAppleID = int64(1234567890)
)

func newTestVerifier(t *testing.T, root *x509.Certificate, env Environment, opts VerifierOptions) *Verifier {
	t.Helper()
	if opts.AppAppleID == 0 {
		opts.AppAppleID = testAppAppleID
	}
	v, err := NewVerifier([]*x509.Certificate{root}, testBundleID, env, opts)
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	return v
}

func testTransaction(env Environment, signed time.Time) Transaction {
	return Transaction{
		OriginalTransactionID: "1000000000000001", TransactionID: "1000000000000002",
		BundleID: testBundleID, ProductID: "com.example.app.pro.monthly",
		PurchaseDate: TimestampOf(signed.Add(-time.Minute)), Quantity: 1,
		Type: "Auto-Renewable Subscription", InAppOwnershipType: "PURCHASED",
		SignedDate: TimestampOf(signed), Environment: env, Storefront: "USA",
		TransactionReason: "PURCHASE", Currency: "USD", Price: 9990,
	}
}

func TestVerifyTransaction(t *testing.T) {
	now := time.Now().Truncate(time.Millisecond)
	good := newTestPKI(t, pkiSpec{})
	other := newTestPKI(t, pkiSpec{})
	noLeafOID := newTestPKI(t, pkiSpec{noLeafOID: true})
	noInterOID := newTestPKI(t, pkiSpec{noIntermediateOID: true})
	// The leaf was valid for one day, a month ago.
	expired := newTestPKI(t, pkiSpec{leafNotBefore: now.Add(-31 * 24 * time.Hour), leafNotAfter: now.Add(-30 * 24 * time.Hour)})
	duringValidity := now.Add(-30*24*time.Hour - 12*time.Hour)

	tx := testTransaction(Production, now)
	valid := good.sign(t, tx)
	parts := strings.Split(valid, ".")

	tests := []struct {
		name    string
		pki     *testPKI
		signed  string
		online  bool
		env     Environment
		wantErr error
	}{
		{name: "valid", signed: valid},
		{name: "wrong root", signed: other.sign(t, tx), wantErr: ErrUntrustedChain},
		{name: "missing leaf OID", pki: noLeafOID, signed: noLeafOID.sign(t, tx), wantErr: ErrMissingLeafOID},
		{name: "missing intermediate OID", pki: noInterOID, signed: noInterOID.sign(t, tx), wantErr: ErrMissingIntermediateOID},
		{name: "two certificates", signed: good.signWith(t, map[string]any{"alg": "ES256", "x5c": good.x5c()[:2]}, mustJSON(t, tx)), wantErr: ErrInvalidChainLength},
		{name: "four certificates", signed: good.signWith(t, map[string]any{"alg": "ES256", "x5c": append(good.x5c(), good.x5c()[2])}, mustJSON(t, tx)), wantErr: ErrInvalidChainLength},
		{name: "no x5c", signed: good.signWith(t, map[string]any{"alg": "ES256"}, mustJSON(t, tx)), wantErr: ErrInvalidChainLength},
		{name: "x5c not base64", signed: good.signWith(t, map[string]any{"alg": "ES256", "x5c": []string{"!!", "!!", "!!"}}, mustJSON(t, tx)), wantErr: ErrInvalidCertificate},
		{name: "x5c not a certificate", signed: good.signWith(t, map[string]any{"alg": "ES256", "x5c": []string{"AAAA", "AAAA", "AAAA"}}, mustJSON(t, tx)), wantErr: ErrInvalidCertificate},
		{name: "leaf expired at signing date", pki: expired, signed: expired.sign(t, testTransaction(Production, now)), wantErr: ErrCertificateExpired},
		{name: "leaf valid at signing date", pki: expired, signed: expired.sign(t, testTransaction(Production, duringValidity))},
		{name: "leaf valid at signing date but online checks use now", pki: expired, online: true,
			signed: expired.sign(t, testTransaction(Production, duringValidity)), wantErr: ErrCertificateExpired},
		{name: "tampered payload", signed: parts[0] + "." + b64(mustJSON(t, Transaction{BundleID: testBundleID, Environment: Production, SignedDate: tx.SignedDate, Price: 1})) + "." + parts[2], wantErr: ErrInvalidSignature},
		{name: "signature of other key", signed: parts[0] + "." + parts[1] + "." + b64(signES256(t, other.leafKey, parts[0]+"."+parts[1])), wantErr: ErrInvalidSignature},
		{name: "DER signature", signed: parts[0] + "." + parts[1] + "." + b64(make([]byte, 72)), wantErr: ErrInvalidSignature},
		{name: "wrong bundle id", signed: good.sign(t, func() Transaction { x := tx; x.BundleID = "com.other.app"; return x }()), wantErr: ErrBundleIDMismatch},
		{name: "wrong environment", signed: good.sign(t, testTransaction(Sandbox, now)), wantErr: ErrEnvironmentMismatch},
		{name: "alg RS256", signed: good.signWith(t, map[string]any{"alg": "RS256", "x5c": good.x5c()}, mustJSON(t, tx)), wantErr: ErrUnsupportedAlgorithm},
		{name: "alg none", signed: good.signWith(t, map[string]any{"alg": "none", "x5c": good.x5c()}, mustJSON(t, tx)), wantErr: ErrUnsupportedAlgorithm},
		{name: "two segments", signed: parts[0] + "." + parts[1], wantErr: ErrMalformedJWS},
		{name: "header standard base64", signed: "eyJ+" + parts[0][4:] + "." + parts[1] + "." + parts[2], wantErr: ErrMalformedJWS},
		{name: "header padded", signed: parts[0] + "=." + parts[1] + "." + parts[2], wantErr: ErrMalformedJWS},
		{name: "header not JSON", signed: b64([]byte("not json")) + "." + parts[1] + "." + parts[2], wantErr: ErrMalformedJWS},
		{name: "payload not base64url", signed: parts[0] + ".*." + parts[2], wantErr: ErrMalformedPayload},
		{name: "payload not JSON", signed: good.signWith(t, map[string]any{"alg": "ES256", "x5c": good.x5c()}, []byte("{")), wantErr: ErrMalformedPayload},
		{name: "payload wrong type", signed: good.signWith(t, map[string]any{"alg": "ES256", "x5c": good.x5c()}, []byte(`{"signedDate":"x"}`)), wantErr: ErrMalformedPayload},
		{name: "signature not base64url", signed: parts[0] + "." + parts[1] + ".+/", wantErr: ErrMalformedJWS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := good.root
			if tt.pki != nil {
				root = tt.pki.root
			}
			env := tt.env
			if env == "" {
				env = Production
			}
			// Online checks against certificates without an OCSP URL would
			// fail on revocation; the case that uses them fails earlier.
			v := newTestVerifier(t, root, env, VerifierOptions{EnableOnlineChecks: tt.online})
			got, err := v.VerifyTransaction(context.Background(), tt.signed)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got error %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want nil", err)
			}
			if got.BundleID != testBundleID || got.ProductID != tx.ProductID || got.Price != 9990 {
				t.Fatalf("got %+v, want the signed transaction", got)
			}
		})
	}
}

func TestVerifierErrorsAreDistinct(t *testing.T) {
	all := []error{ErrNoRootCertificates, ErrAppAppleIDRequired, ErrMalformedJWS, ErrMalformedPayload,
		ErrUnsupportedAlgorithm, ErrInvalidChainLength, ErrInvalidCertificate, ErrCertificateExpired,
		ErrUntrustedChain, ErrMissingLeafOID, ErrMissingIntermediateOID, ErrCertificateRevoked,
		ErrRevocationCheckFailed, ErrInvalidSignature, ErrBundleIDMismatch, ErrAppAppleIDMismatch,
		ErrEnvironmentMismatch}
	for i, a := range all {
		for j, b := range all {
			if i != j && errors.Is(a, b) {
				t.Errorf("errors.Is(%v, %v) = true, want false", a, b)
			}
		}
	}
}

func TestNewVerifierConfig(t *testing.T) {
	root := newTestPKI(t, pkiSpec{}).root
	tests := []struct {
		name    string
		roots   []*x509.Certificate
		env     Environment
		appID   int64
		wantErr error
	}{
		{name: "production", roots: []*x509.Certificate{root}, env: Production, appID: 1},
		{name: "sandbox without app id", roots: []*x509.Certificate{root}, env: Sandbox},
		{name: "production without app id", roots: []*x509.Certificate{root}, env: Production, wantErr: ErrAppAppleIDRequired},
		{name: "no roots", env: Sandbox, wantErr: ErrNoRootCertificates},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewVerifier(tt.roots, testBundleID, tt.env, VerifierOptions{AppAppleID: tt.appID})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestVerifyRenewalInfo(t *testing.T) {
	pki := newTestPKI(t, pkiSpec{})
	v := newTestVerifier(t, pki.root, Sandbox, VerifierOptions{})
	now := time.Now()
	tests := []struct {
		name    string
		info    RenewalInfo
		wantErr error
	}{
		{name: "valid", info: RenewalInfo{OriginalTransactionID: "1", AutoRenewProductID: "p", AutoRenewStatus: 1, Environment: Sandbox, SignedDate: TimestampOf(now)}},
		{name: "wrong environment", info: RenewalInfo{Environment: Production, SignedDate: TimestampOf(now)}, wantErr: ErrEnvironmentMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := v.VerifyRenewalInfo(context.Background(), pki.sign(t, tt.info))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if err == nil && (got.AutoRenewProductID != "p" || got.AutoRenewStatus != 1) {
				t.Fatalf("got %+v, want %+v", got, tt.info)
			}
		})
	}
}

func TestVerifyAppTransaction(t *testing.T) {
	pki := newTestPKI(t, pkiSpec{})
	v := newTestVerifier(t, pki.root, Production, VerifierOptions{})
	now := TimestampOf(time.Now())
	tests := []struct {
		name    string
		at      AppTransaction
		wantErr error
	}{
		{name: "valid", at: AppTransaction{ReceiptType: Production, AppAppleID: testAppAppleID, BundleID: testBundleID, ApplicationVersion: "1.2", SignedDate: now}},
		{name: "wrong app apple id", at: AppTransaction{ReceiptType: Production, AppAppleID: 42, BundleID: testBundleID, SignedDate: now}, wantErr: ErrAppAppleIDMismatch},
		{name: "wrong bundle id", at: AppTransaction{ReceiptType: Production, AppAppleID: testAppAppleID, BundleID: "x", SignedDate: now}, wantErr: ErrBundleIDMismatch},
		{name: "wrong receipt type", at: AppTransaction{ReceiptType: Sandbox, AppAppleID: testAppAppleID, BundleID: testBundleID, SignedDate: now}, wantErr: ErrEnvironmentMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := v.VerifyAppTransaction(context.Background(), pki.sign(t, tt.at))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if err == nil && got.ApplicationVersion != "1.2" {
				t.Fatalf("got version %q, want 1.2", got.ApplicationVersion)
			}
		})
	}
}

func TestVerifyXcodeSkipsSignature(t *testing.T) {
	pki := newTestPKI(t, pkiSpec{})
	v := newTestVerifier(t, newTestPKI(t, pkiSpec{}).root, Xcode, VerifierOptions{})
	signed := pki.signWith(t, map[string]any{"alg": "ES256", "x5c": pki.x5c()[:1]},
		mustJSON(t, testTransaction(Xcode, time.Now())))
	got, err := v.VerifyTransaction(context.Background(), signed)
	if err != nil {
		t.Fatalf("got error %v, want nil", err)
	}
	if got.Environment != Xcode {
		t.Fatalf("got environment %q, want Xcode", got.Environment)
	}
}
