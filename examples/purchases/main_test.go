package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/groundwork-go/groundwork/examples/internal/exampleapp"
	"github.com/groundwork-go/groundwork/examples/internal/exampletest"
)

// startExample serves the example in its default mode (mock root) on a
// database private to the test.
func startExample(t *testing.T) (*exampletest.Server, *devRoutes) {
	t.Helper()
	var dev *devRoutes
	srv, logs := exampletest.Build(t, "purchases", nil, func(ctx context.Context, app *exampleapp.App) (err error) {
		dev, err = setup(ctx, app)
		return err
	})
	if dev == nil || !strings.Contains(logs, "APPLE_ROOT_CERT is not set") {
		t.Fatalf("got logs %q, want the default mode on the mock root", logs)
	}
	return srv, dev
}

type entitlementList struct {
	Entitlements []entitlement `json:"entitlements"`
}

func mintTransaction(t *testing.T, srv *exampletest.Server, in devTransactionInput) string {
	t.Helper()
	var out struct {
		Signed string `json:"signed_transaction"`
	}
	srv.Do(t, http.MethodPost, "/dev/appstore/transactions", "", in).Want(t, http.StatusOK, &out)
	return out.Signed
}

func mintNotification(t *testing.T, srv *exampletest.Server, in devNotificationInput) string {
	t.Helper()
	var out struct {
		Signed string `json:"signedPayload"`
	}
	srv.Do(t, http.MethodPost, "/dev/appstore/notifications", "", in).Want(t, http.StatusOK, &out)
	return out.Signed
}

func entitlements(t *testing.T, srv *exampletest.Server, token string) []entitlement {
	t.Helper()
	var out entitlementList
	srv.Do(t, http.MethodGet, "/api/v1/users/me/entitlements", token, nil).Want(t, http.StatusOK, &out)
	return out.Entitlements
}

func webhook(t *testing.T, srv *exampletest.Server, signedPayload string) *exampletest.Response {
	t.Helper()
	return srv.Do(t, http.MethodPost, "/api/v1/webhooks/apple", "", map[string]string{"signedPayload": signedPayload})
}

func TestPurchaseRecordedAndListed(t *testing.T) {
	srv, _ := startExample(t)
	user := srv.Signup(t)
	signed := mintTransaction(t, srv, devTransactionInput{ProductID: "pro.monthly", ExpiresInSeconds: 3600})
	var e entitlement
	srv.Do(t, http.MethodPost, "/api/v1/purchases/apple", user.AccessToken, map[string]string{"signed_transaction": signed}).
		Want(t, http.StatusOK, &e)
	if e.ProductID != "pro.monthly" || e.Status != statusActive || !e.Active || e.ExpiresAt == nil || e.Environment != "Sandbox" {
		t.Fatalf("got entitlement %+v, want an active Sandbox pro.monthly subscription", e)
	}
	list := entitlements(t, srv, user.AccessToken)
	if len(list) != 1 || list[0].OriginalTransactionID != e.OriginalTransactionID {
		t.Fatalf("got entitlements %+v, want the one recorded", list)
	}
	// Posting it again is harmless; another account posting it is refused.
	srv.Do(t, http.MethodPost, "/api/v1/purchases/apple", user.AccessToken, map[string]string{"signed_transaction": signed}).
		Want(t, http.StatusOK, nil)
	other := srv.Signup(t)
	srv.Do(t, http.MethodPost, "/api/v1/purchases/apple", other.AccessToken, map[string]string{"signed_transaction": signed}).
		WantError(t, http.StatusConflict, "CONFLICT")
	if got := entitlements(t, srv, other.AccessToken); len(got) != 0 {
		t.Fatalf("got entitlements %+v for the other account, want none", got)
	}
}

func TestPurchaseRejections(t *testing.T) {
	srv, dev := startExample(t)
	user := srv.Signup(t)
	// The same transaction signed by a chain to a root the server does not
	// trust (Apple-shaped, with Apple's OIDs).
	untrusted, err := newMockStore()
	if err != nil {
		t.Fatal(err)
	}
	forged, err := (&devRoutes{mock: untrusted, bundleID: dev.bundleID}).transaction(devTransactionInput{ProductID: "pro.lifetime"})
	if err != nil {
		t.Fatal(err)
	}
	otherApp, err := (&devRoutes{mock: dev.mock, bundleID: "com.example.other"}).transaction(devTransactionInput{ProductID: "pro.lifetime"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, signed, wantDetail string
	}{
		{"untrusted root", forged, "does not verify"},
		{"another app", otherApp, "another app"},
		{"not a JWS", "abc", "does not verify"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := srv.Do(t, http.MethodPost, "/api/v1/purchases/apple", user.AccessToken, map[string]string{"signed_transaction": tt.signed})
			resp.WantError(t, http.StatusBadRequest, "BAD_REQUEST")
			if !strings.Contains(string(resp.Body), tt.wantDetail) {
				t.Fatalf("got %s, want a detail saying %q", resp.Body, tt.wantDetail)
			}
		})
	}
	forgedNote, err := (&devRoutes{mock: untrusted, bundleID: dev.bundleID}).notification(devNotificationInput{
		NotificationType: "SUBSCRIBED", devTransactionInput: devTransactionInput{ProductID: "pro.monthly", ExpiresInSeconds: 60}})
	if err != nil {
		t.Fatal(err)
	}
	webhook(t, srv, forgedNote).WantError(t, http.StatusBadRequest, "BAD_REQUEST")
	if got := entitlements(t, srv, user.AccessToken); len(got) != 0 {
		t.Fatalf("got entitlements %+v after rejected data, want none", got)
	}

	// Unauthenticated and malformed requests.
	srv.Do(t, http.MethodPost, "/api/v1/purchases/apple", "", map[string]string{"signed_transaction": forged}).
		WantError(t, http.StatusUnauthorized, "UNAUTHORIZED")
	srv.Do(t, http.MethodGet, "/api/v1/users/me/entitlements", "", nil).WantError(t, http.StatusUnauthorized, "UNAUTHORIZED")
	srv.Do(t, http.MethodPost, "/api/v1/purchases/apple", user.AccessToken, map[string]string{}).WantValidation(t, "signed_transaction")
	srv.Do(t, http.MethodPost, "/dev/appstore/transactions", "", map[string]any{"expires_in_seconds": 5}).WantValidation(t, "product_id")
}

func TestWebhookLifecycleAndDuplicates(t *testing.T) {
	srv, _ := startExample(t)
	user := srv.Signup(t)
	signed := mintTransaction(t, srv, devTransactionInput{ProductID: "pro.monthly", OriginalTransactionID: "2000000000000001", ExpiresInSeconds: 3600})
	srv.Do(t, http.MethodPost, "/api/v1/purchases/apple", user.AccessToken, map[string]string{"signed_transaction": signed}).
		Want(t, http.StatusOK, nil)
	sub := func(expiresIn int64) devTransactionInput {
		return devTransactionInput{ProductID: "pro.monthly", OriginalTransactionID: "2000000000000001", ExpiresInSeconds: expiresIn}
	}
	steps := []struct {
		name             string
		note             devNotificationInput
		wantStatus       string
		wantActive       bool
		wantRevokedField bool
	}{
		{"renewal", devNotificationInput{NotificationType: "DID_RENEW", devTransactionInput: sub(7200)}, statusActive, true, false},
		{"billing retry", devNotificationInput{NotificationType: "DID_FAIL_TO_RENEW", devTransactionInput: sub(7200)}, statusBillingRetry, false, false},
		{"expiry", devNotificationInput{NotificationType: "EXPIRED", Subtype: "VOLUNTARY", devTransactionInput: sub(7200)}, statusExpired, false, false},
		{"resubscribed", devNotificationInput{NotificationType: "SUBSCRIBED", Subtype: "RESUBSCRIBE", devTransactionInput: sub(3600)}, statusActive, true, false},
		{"refund", devNotificationInput{NotificationType: "REFUND", devTransactionInput: sub(3600)}, statusRevoked, false, false},
	}
	for _, st := range steps {
		webhook(t, srv, mintNotification(t, srv, st.note)).Want(t, http.StatusOK, nil)
		list := entitlements(t, srv, user.AccessToken)
		if len(list) != 1 || list[0].Status != st.wantStatus || list[0].Active != st.wantActive {
			t.Fatalf("after %s: got %+v, want one entitlement %s (active %v)", st.name, list, st.wantStatus, st.wantActive)
		}
	}

	// A notification delivered twice (Apple retries with the same UUID) is
	// processed once: the second delivery leaves the entitlement as it was.
	renewal := mintNotification(t, srv, devNotificationInput{NotificationType: "REFUND_REVERSED", NotificationUUID: "b1e1c7c0-0000-4000-8000-000000000001", devTransactionInput: sub(3600)})
	webhook(t, srv, renewal).Want(t, http.StatusOK, nil)
	first := entitlements(t, srv, user.AccessToken)[0]
	if first.Status != statusActive {
		t.Fatalf("after REFUND_REVERSED got %+v, want active", first)
	}
	webhook(t, srv, renewal).Want(t, http.StatusOK, nil)
	second := entitlements(t, srv, user.AccessToken)[0]
	if !second.UpdatedAt.Equal(first.UpdatedAt) || second.Status != first.Status {
		t.Fatalf("the duplicate delivery changed the entitlement: got %+v, want %+v", second, first)
	}
	// The webhook's own bad input: no signedPayload.
	srv.Do(t, http.MethodPost, "/api/v1/webhooks/apple", "", map[string]string{}).WantError(t, http.StatusBadRequest, "BAD_REQUEST")
}

// TestNotificationBeforeClaim covers the App Store reporting a purchase
// before the app posts it: the entitlement waits unowned, and the claim
// binds it to the caller with the state the notification set.
func TestNotificationBeforeClaim(t *testing.T) {
	srv, _ := startExample(t)
	user := srv.Signup(t)
	const orig = "2000000000000042"
	webhook(t, srv, mintNotification(t, srv, devNotificationInput{NotificationType: "SUBSCRIBED", Subtype: "INITIAL_BUY",
		devTransactionInput: devTransactionInput{ProductID: "pro.yearly", OriginalTransactionID: orig, ExpiresInSeconds: 3600}})).
		Want(t, http.StatusOK, nil)
	if got := entitlements(t, srv, user.AccessToken); len(got) != 0 {
		t.Fatalf("got %+v before the claim, want none", got)
	}
	signed := mintTransaction(t, srv, devTransactionInput{ProductID: "pro.yearly", OriginalTransactionID: orig, ExpiresInSeconds: 3600})
	srv.Do(t, http.MethodPost, "/api/v1/purchases/apple", user.AccessToken, map[string]string{"signed_transaction": signed}).
		Want(t, http.StatusOK, nil)
	if got := entitlements(t, srv, user.AccessToken); len(got) != 1 || got[0].OriginalTransactionID != orig || !got[0].Active {
		t.Fatalf("got %+v, want the notified subscription, active", got)
	}
}
