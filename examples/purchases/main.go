// Command purchases is an example service that records App Store in-app
// purchases as entitlements of its users.
//
//	POST /api/v1/purchases/apple          {"signed_transaction": "<JWS from StoreKit>"}  (authenticated)
//	GET  /api/v1/users/me/entitlements    the caller's entitlements                       (authenticated)
//	POST /api/v1/webhooks/apple           App Store Server Notifications V2 (set this URL in App Store Connect)
//
// After a purchase the app posts StoreKit 2's signed transaction
// (Transaction.jwsRepresentation); the service verifies it with
// iap/appstore (chain to the trusted root, Apple's certificate OIDs, ES256
// signature, bundle id and environment) and binds it to the caller. The App
// Store then reports renewals, expiries, refunds and revocations to the
// webhook; each notification is verified and applied once, by its
// notificationUUID, however often Apple delivers it.
//
//	go run ./examples/purchases
//
// serves on :8802 with no credentials: it trusts a mock root generated at
// start (Sandbox, bundle com.example.groundwork), and
// POST /dev/appstore/transactions and POST /dev/appstore/notifications mint
// signed data for it. Set APPLE_ROOT_CERT (the path of AppleRootCA-G3.cer,
// from https://www.apple.com/certificateauthority/) and APPLE_BUNDLE_ID to
// verify Apple's data; APPLE_ENVIRONMENT (Production or Sandbox, default
// Production), APPLE_APP_APPLE_ID (required in Production) and
// APPLE_ONLINE_CHECKS=true (OCSP) refine it. The development routes are then
// not mounted. The common settings (PORT, DATABASE_URL, SECRET_KEY, rate
// limits) are those of examples/internal/exampleapp.
package main

import (
	"context"
	"net/http"
	"time"

	"github.com/groundwork-go/groundwork/examples/internal/exampleapp"
	"github.com/groundwork-go/groundwork/iap/appstore"
)

func main() {
	exampleapp.Main("purchases", 8802, func(ctx context.Context, app *exampleapp.App) error {
		_, err := setup(ctx, app)
		return err
	})
}

// setup mounts the example's routes on app.
func setup(ctx context.Context, app *exampleapp.App) (*devRoutes, error) {
	v, dev, err := newVerifier(app.Env, app.Logger, app.HTTPClient(appstore.DefaultOCSPTimeout))
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, app.DB); err != nil {
		return nil, err
	}
	p := &purchases{verifier: v, store: &store{db: app.DB, now: time.Now}}
	app.Mux.Handle("POST "+exampleapp.APIPrefix+"/purchases/apple", app.Authenticated(exampleapp.ForUser(p.record)))
	app.Mux.Handle("GET "+exampleapp.APIPrefix+"/users/me/entitlements", app.Authenticated(exampleapp.ForUser(p.list)))
	app.Mux.Handle("POST "+exampleapp.APIPrefix+"/webhooks/apple",
		app.Limited(appstore.NewNotificationHandler(v, p.store.apply, appstore.HandlerOptions{})))
	if dev != nil {
		app.Mux.Handle("POST /dev/appstore/transactions", app.StrictlyLimited(http.HandlerFunc(dev.serveTransaction)))
		app.Mux.Handle("POST /dev/appstore/notifications", app.StrictlyLimited(http.HandlerFunc(dev.serveNotification)))
	}
	return dev, nil
}
