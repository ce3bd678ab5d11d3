// Package appstore verifies data signed by the App Store and talks to the App
// Store Server API.
//
// It has three parts:
//
//   - Verifier checks JWS values signed by Apple (transactions, renewal infos,
//     App Store Server Notifications V2 and app transactions) the way Apple's
//     own App Store Server Libraries do: exactly three x5c certificates, a chain
//     to a root the caller supplies (Apple's AppleRootCA-G3.cer, which this
//     package does not bundle), Apple's certificate OIDs on the leaf and
//     intermediate, an ES256 signature made by the leaf key, the chain evaluated
//     at the payload's signedDate unless online checks are on, optional OCSP,
//     and finally the bundle id, environment and app Apple id.
//   - Client calls the App Store Server API with a cached ES256 bearer token,
//     decodes responses into typed structs, maps API errors to *APIError and
//     retries idempotent calls on rate limits and transient failures.
//     It covers transaction info and history, app transaction info, order
//     look-up, refund history, subscription statuses and renewal-date
//     extension, app account tokens, consumption information (the current
//     format and V1) and notification history and tests.
//   - NotificationHandler is an http.Handler that receives App Store Server
//     Notifications V2, verifies them and passes the typed notification to a
//     callback.
//
// Usage:
//
//	root, _ := x509.ParseCertificate(appleRootCAG3DER)
//	v, err := appstore.NewVerifier([]*x509.Certificate{root}, "com.example.app",
//		appstore.Production, appstore.VerifierOptions{AppAppleID: 1234567890})
//	if err != nil { ... }
//	tx, err := v.VerifyTransaction(ctx, signedTransactionInfo)
//
//	mux.Handle("POST /webhooks/appstore", appstore.NewNotificationHandler(v,
//		func(ctx context.Context, n *appstore.Notification) error {
//			return store.Apply(ctx, n)
//		}, appstore.HandlerOptions{}))
package appstore
