package appstore

import (
	"context"
	"errors"
	"testing"
	"time"
)

// testNotification returns a DID_RENEW notification for the test app whose
// nested transaction and renewal information are signed by p.
func testNotification(t fataler, p *testPKI, env Environment) Notification {
	t.Helper()
	now := time.Now()
	return Notification{
		NotificationType: "DID_RENEW", NotificationUUID: "002e14d5-51f5-4503-b5a8-c3a1af68eb20",
		Version: "2.0", SignedDate: TimestampOf(now),
		Data: &NotificationData{
			Environment: env, AppAppleID: testAppAppleID, BundleID: testBundleID, BundleVersion: "42", Status: 1,
			SignedTransactionInfo: p.sign(t, testTransaction(env, now)),
			SignedRenewalInfo: p.sign(t, RenewalInfo{OriginalTransactionID: "1000000000000001",
				AutoRenewProductID: "com.example.app.pro.monthly", AutoRenewStatus: 1, Environment: env,
				SignedDate: TimestampOf(now)}),
		},
	}
}

func TestVerifyNotification(t *testing.T) {
	pki := newTestPKI(t, pkiSpec{})
	other := newTestPKI(t, pkiSpec{})
	v := newTestVerifier(t, pki.root, Production, VerifierOptions{})
	tests := []struct {
		name    string
		mutate  func(n *Notification)
		signer  *testPKI
		wantErr error
	}{
		{name: "valid with nested data"},
		{name: "wrong app apple id", mutate: func(n *Notification) { n.Data.AppAppleID = 1 }, wantErr: ErrAppAppleIDMismatch},
		{name: "wrong bundle id", mutate: func(n *Notification) { n.Data.BundleID = "com.other" }, wantErr: ErrBundleIDMismatch},
		{name: "wrong environment", mutate: func(n *Notification) { n.Data.Environment = Sandbox }, wantErr: ErrEnvironmentMismatch},
		{name: "outer signed by untrusted chain", signer: other, wantErr: ErrUntrustedChain},
		{name: "nested transaction signed by untrusted chain", mutate: func(n *Notification) {
			n.Data.SignedTransactionInfo = other.sign(t, testTransaction(Production, time.Now()))
		}, wantErr: ErrUntrustedChain},
		{name: "nested renewal info for other environment", mutate: func(n *Notification) {
			n.Data.SignedRenewalInfo = pki.sign(t, RenewalInfo{Environment: Sandbox, SignedDate: TimestampOf(time.Now())})
		}, wantErr: ErrEnvironmentMismatch},
		{name: "nested transaction malformed", mutate: func(n *Notification) { n.Data.SignedTransactionInfo = "a.b" }, wantErr: ErrMalformedJWS},
		{name: "summary", mutate: func(n *Notification) {
			n.NotificationType, n.Data = "RENEWAL_EXTENSION", nil
			n.Summary = &NotificationSummary{Environment: Production, AppAppleID: testAppAppleID, BundleID: testBundleID, SucceededCount: 3}
		}},
		{name: "summary for other app", mutate: func(n *Notification) {
			n.Data = nil
			n.Summary = &NotificationSummary{Environment: Production, AppAppleID: 7, BundleID: testBundleID}
		}, wantErr: ErrAppAppleIDMismatch},
		{name: "external purchase token", mutate: func(n *Notification) {
			n.NotificationType, n.Data = "EXTERNAL_PURCHASE_TOKEN", nil
			n.ExternalPurchaseToken = &ExternalPurchaseToken{ExternalPurchaseID: "b2b6ed72-0bd2-4d1c-85a8-46c8bfc8fdb2", AppAppleID: testAppAppleID, BundleID: testBundleID}
		}},
		{name: "sandbox external purchase token", mutate: func(n *Notification) {
			n.Data = nil
			n.ExternalPurchaseToken = &ExternalPurchaseToken{ExternalPurchaseID: "SANDBOX_b2b6ed72", AppAppleID: testAppAppleID, BundleID: testBundleID}
		}, wantErr: ErrEnvironmentMismatch},
		{name: "no app data", mutate: func(n *Notification) { n.Data = nil }, wantErr: ErrBundleIDMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := testNotification(t, pki, Production)
			if tt.mutate != nil {
				tt.mutate(&n)
			}
			signer := pki
			if tt.signer != nil {
				signer = tt.signer
			}
			got, err := v.VerifyNotification(context.Background(), signer.sign(t, n))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if got.NotificationType != n.NotificationType || got.NotificationUUID != n.NotificationUUID {
				t.Fatalf("got %s/%s, want %s/%s", got.NotificationType, got.NotificationUUID, n.NotificationType, n.NotificationUUID)
			}
			if n.Data == nil {
				return
			}
			if got.Data.Transaction == nil || got.Data.Transaction.ProductID != "com.example.app.pro.monthly" {
				t.Fatalf("got nested transaction %+v, want the signed one", got.Data.Transaction)
			}
			if got.Data.RenewalInfo == nil || got.Data.RenewalInfo.AutoRenewStatus != 1 {
				t.Fatalf("got nested renewal info %+v, want the signed one", got.Data.RenewalInfo)
			}
		})
	}
}
