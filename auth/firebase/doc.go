// Package firebase verifies Firebase Authentication ID tokens.
//
// A Verifier checks the token the Firebase client SDKs hand to a signed-in
// user (RS256, signed by one of Google's rotating securetoken keys) against a
// project id, without the Firebase Admin SDK. Google's public certificates are
// fetched from a configurable URL, cached for the response's Cache-Control
// max-age, refreshed in the background shortly before they expire and on demand
// when a token names a key id the cache does not know; concurrent fetches are
// collapsed into one.
//
// The package imports nothing that pulls in gRPC, so the token-verification path
// stays light. User management over the Identity Toolkit API lives in the
// subpackage auth/firebase/users, which can also serve as this package's
// RevocationChecker.
//
// Usage:
//
//	v, err := firebase.NewVerifier("my-project", firebase.Config{})
//	if err != nil {
//		return err
//	}
//	tok, err := v.VerifyIDToken(ctx, rawIDToken)
//	if err != nil {
//		return httpx.Unauthorized("invalid token").WithCause(err)
//	}
//	log.Printf("signed in as %s via %s", tok.UID, tok.Firebase.SignInProvider)
//
// Verifier also has an Authenticate method with the shape the auth middleware
// accepts for alternative token verifiers, so Firebase users can use the same
// routes as users holding the application's own access tokens.
package firebase
