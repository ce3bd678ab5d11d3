package appstore

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// fixture returns testdata/name decoded into a map, the shape Apple
// documents, hand-written.
func fixture(t *testing.T, name string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// signFixture signs a decoded-payload fixture with p, dated now so the test
// chain is valid at its signedDate.
func signFixture(t *testing.T, p *testPKI, name string, now time.Time) string {
	t.Helper()
	m := fixture(t, name)
	m["signedDate"] = TimestampOf(now)
	return p.sign(t, m)
}

func TestDecodeNewerTransactionFields(t *testing.T) {
	pki := newTestPKI(t, pkiSpec{})
	v := newTestVerifier(t, pki.root, Production, VerifierOptions{})
	tx, err := v.VerifyTransaction(context.Background(), signFixture(t, pki, "transaction_prorated_refund.json", time.Now()))
	if err != nil {
		t.Fatalf("VerifyTransaction: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"RevocationType", tx.RevocationType, RevocationRefundProrated},
		{"RevocationPercentage", deref(tx.RevocationPercentage), 33333},
		{"RevocationReason", deref(tx.RevocationReason), 0},
		{"RevocationDate", tx.RevocationDate, Timestamp(1764158400000)},
		{"AppTransactionID", tx.AppTransactionID, "704289572311757924"},
		{"AppAccountToken", tx.AppAccountToken, "7389a31a-fb6d-4569-a2a6-db7d85d84813"},
		{"Quantity", tx.Quantity, 3},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

// deref returns *p, or -1 for nil.
func deref(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}

func TestGetAppTransactionInfo(t *testing.T) {
	pki := newTestPKI(t, pkiSpec{})
	signed := signFixture(t, pki, "app_transaction.json", time.Now())
	f := newFakeAPI(t)
	f.reply("GET /inApps/v1/transactions/appTransactions/{id}", http.StatusOK, map[string]any{"signedAppTransactionInfo": signed})
	c := f.newClient(t, ClientOptions{Verifier: newTestVerifier(t, pki.root, Production, VerifierOptions{})})

	res, err := c.GetAppTransactionInfo(context.Background(), "2000000000000001")
	if err != nil {
		t.Fatalf("GetAppTransactionInfo: %v", err)
	}
	assertRequest(t, f.seen()[0], wantRequest{method: "GET", path: "/inApps/v1/transactions/appTransactions/2000000000000001"})
	at := res.AppTransaction
	if at == nil || at.AppTransactionID != "704289572311757924" || at.OriginalPlatform != "iOS" ||
		at.ApplicationVersion != "2.4" || at.OriginalPurchaseDate != 1700000000000 {
		t.Errorf("app transaction: got %+v, want the fixture's", at)
	}
	if res.SignedAppTransactionInfo != signed {
		t.Error("signedAppTransactionInfo not kept")
	}

	other := newTestPKI(t, pkiSpec{})
	c = f.newClient(t, ClientOptions{Verifier: newTestVerifier(t, other.root, Production, VerifierOptions{})})
	if _, err := c.GetAppTransactionInfo(context.Background(), "2000000000000001"); !errors.Is(err, ErrUntrustedChain) {
		t.Errorf("untrusted signer: got %v, want ErrUntrustedChain", err)
	}
}

func TestSetAppAccountToken(t *testing.T) {
	const token = "7389a31a-fb6d-4569-a2a6-db7d85d84813"
	tests := []struct {
		name      string
		status    int
		reply     any
		wantErr   error
		wantCode  int64
		wantCalls int
	}{
		{name: "set", status: http.StatusOK, wantCalls: 1},
		{name: "not a UUID", status: http.StatusBadRequest, reply: map[string]any{"errorCode": 4000183,
			"errorMessage": "Invalid request. The app account token field must be a valid UUID."},
			wantErr: ErrBadRequest, wantCode: ErrorCodeInvalidAppAccountToken, wantCalls: 1},
		{name: "server error is retried", status: http.StatusInternalServerError, wantErr: ErrServer, wantCalls: 1 + DefaultMaxRetries},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.reply("PUT /inApps/v1/transactions/{id}/appAccountToken", tt.status, tt.reply)
			c := f.newClient(t, ClientOptions{})
			err := c.SetAppAccountToken(context.Background(), "1000000000000101", token)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			var apiErr *APIError
			if tt.wantCode != 0 && (!errors.As(err, &apiErr) || apiErr.Code != tt.wantCode) {
				t.Errorf("got %v, want error code %d", err, tt.wantCode)
			}
			reqs := f.seen()
			if len(reqs) != tt.wantCalls {
				t.Fatalf("requests: got %d, want %d", len(reqs), tt.wantCalls)
			}
			assertRequest(t, reqs[0], wantRequest{method: "PUT", path: "/inApps/v1/transactions/1000000000000101/appAccountToken",
				body: fixture(t, "update_app_account_token_request.json")})
		})
	}
}

func TestSendConsumptionInformation(t *testing.T) {
	pct := 25000
	tests := []struct {
		name string
		req  ConsumptionRequest
		want any
	}{
		{"documented shape", ConsumptionRequest{CustomerConsented: true, DeliveryStatus: DeliveryDelivered,
			ConsumptionPercentage: &pct, RefundPreference: RefundGrantProrated}, fixture(t, "consumption_request.json")},
		{"optional fields left out", ConsumptionRequest{CustomerConsented: true, SampleContentProvided: true,
			DeliveryStatus: DeliveryUndeliveredServerOutage},
			map[string]any{"customerConsented": true, "sampleContentProvided": true, "deliveryStatus": "UNDELIVERED_SERVER_OUTAGE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.reply("PUT /inApps/v2/transactions/consumption/{id}", http.StatusAccepted, nil)
			c := f.newClient(t, ClientOptions{})
			if err := c.SendConsumptionInformation(context.Background(), "1000000000000102", tt.req); err != nil {
				t.Fatalf("SendConsumptionInformation: %v", err)
			}
			assertRequest(t, f.seen()[0], wantRequest{method: "PUT", path: "/inApps/v2/transactions/consumption/1000000000000102", body: tt.want})
		})
	}
}

func TestVerifyRescindConsentNotification(t *testing.T) {
	pki := newTestPKI(t, pkiSpec{})
	v := newTestVerifier(t, pki.root, Production, VerifierOptions{})
	now := time.Now()
	notification := func(mutate func(appData map[string]any)) string {
		n := fixture(t, "rescind_consent_notification.json")
		n["signedDate"] = TimestampOf(now)
		appData := n["appData"].(map[string]any)
		appData["signedAppTransactionInfo"] = signFixture(t, pki, "app_transaction.json", now)
		if mutate != nil {
			mutate(appData)
		}
		return pki.sign(t, n)
	}

	n, err := v.VerifyNotification(context.Background(), notification(nil))
	if err != nil {
		t.Fatalf("VerifyNotification: %v", err)
	}
	if n.NotificationType != "RESCIND_CONSENT" || n.AppData == nil || n.AppData.AppTransaction == nil ||
		n.AppData.AppTransaction.AppTransactionID != "704289572311757924" {
		t.Errorf("got %+v (app data %+v), want RESCIND_CONSENT with the verified app transaction", n, n.AppData)
	}

	tests := []struct {
		name    string
		mutate  func(map[string]any)
		wantErr error
	}{
		{"app data for another app", func(d map[string]any) { d["bundleId"] = "com.other" }, ErrBundleIDMismatch},
		{"app data for another environment", func(d map[string]any) { d["environment"] = "Sandbox" }, ErrEnvironmentMismatch},
		{"app transaction signed by an untrusted chain", func(d map[string]any) {
			d["signedAppTransactionInfo"] = signFixture(t, newTestPKI(t, pkiSpec{}), "app_transaction.json", now)
		}, ErrUntrustedChain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := v.VerifyNotification(context.Background(), notification(tt.mutate)); !errors.Is(err, tt.wantErr) {
				t.Errorf("got %v, want %v", err, tt.wantErr)
			}
		})
	}
}
