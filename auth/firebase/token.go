package firebase

import "time"

// Token is a verified Firebase ID token.
type Token struct {
	// UID is the Firebase user id (the sub claim).
	UID string
	// Issuer is the iss claim, https://securetoken.google.com/<project id>.
	Issuer string
	// Audience is the aud claim, the Firebase project id.
	Audience string
	// IssuedAt is the iat claim.
	IssuedAt time.Time
	// Expires is the exp claim.
	Expires time.Time
	// AuthTime is the auth_time claim: when the user last signed in. It is the
	// zero time when the token carries no auth_time.
	AuthTime time.Time
	// Email is the email claim, empty when absent.
	Email string
	// EmailVerified is the email_verified claim.
	EmailVerified bool
	// Firebase holds the contents of the "firebase" claim.
	Firebase FirebaseInfo
	// Claims holds every claim of the token, including custom claims set
	// through user management, as decoded from JSON.
	Claims map[string]any
}

// FirebaseInfo is the "firebase" claim of an ID token.
type FirebaseInfo struct {
	// SignInProvider is the provider used to sign in, for example "password",
	// "google.com" or "custom".
	SignInProvider string
	// Tenant is the Identity Platform tenant id, empty for the default tenant.
	Tenant string
	// Identities maps provider ids to the user's identifiers at that provider.
	Identities map[string]any
}

// tokenFromClaims builds a Token from verified claims.
func tokenFromClaims(c map[string]any) *Token {
	t := &Token{Claims: c}
	t.UID, _ = c["sub"].(string)
	t.Issuer, _ = c["iss"].(string)
	t.Audience, _ = c["aud"].(string)
	t.IssuedAt = numericTime(c["iat"])
	t.Expires = numericTime(c["exp"])
	t.AuthTime = numericTime(c["auth_time"])
	t.Email, _ = c["email"].(string)
	t.EmailVerified, _ = c["email_verified"].(bool)
	if fb, ok := c["firebase"].(map[string]any); ok {
		t.Firebase.SignInProvider, _ = fb["sign_in_provider"].(string)
		t.Firebase.Tenant, _ = fb["tenant"].(string)
		t.Firebase.Identities, _ = fb["identities"].(map[string]any)
	}
	return t
}

// numericTime converts a JSON NumericDate (seconds since the epoch) to a time.
func numericTime(v any) time.Time {
	f, ok := v.(float64)
	if !ok {
		return time.Time{}
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9))
}
