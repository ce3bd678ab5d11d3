// Package users manages Firebase Authentication users through the Identity
// Toolkit API (google.golang.org/api/identitytoolkit/v1), the API the Firebase
// Admin SDK uses: create, look up by uid, email or phone number, update
// (including custom claims), delete, list with pagination, revoke refresh
// tokens, and generate email action links.
//
// It is a separate package from auth/firebase because the Google API client
// pulls in gRPC; token verification does not need it. A Client is also a
// firebase.RevocationChecker, so a Verifier can reject tokens of users whose
// sessions were revoked or whose accounts are disabled.
//
// API errors are mapped to sentinels such as ErrUserNotFound and
// ErrEmailExists; throttling (429), 5xx answers and transport errors are
// ErrUnavailable. Idempotent calls (look-ups, listing, updates, claims,
// revocation, deletion) are retried after ErrUnavailable with exponential
// backoff, honouring Retry-After, bounded in attempts (Config.MaxRetries) and
// total time (Config.RetryBudget); CreateUser and EmailActionLink are tried
// once.
//
// Usage:
//
//	c, err := users.New(ctx, "my-project", users.Config{CredentialsJSON: key})
//	if err != nil {
//		return err
//	}
//	u, err := c.CreateUser(ctx, users.UserToCreate{Email: "ada@example.com", Password: "correct horse"})
//	if errors.Is(err, users.ErrEmailExists) {
//		return httpx.NewError(http.StatusConflict, httpx.CodeConflict, "email already registered")
//	}
//	if err := c.SetCustomClaims(ctx, u.UID, map[string]any{"role": "admin"}); err != nil {
//		return err
//	}
package users
