package users

import (
	"encoding/json"
	"time"

	identitytoolkit "google.golang.org/api/identitytoolkit/v1"
)

// User is a Firebase Authentication user record.
type User struct {
	// UID is the user's id.
	UID string
	// Email is the user's email address, empty when none.
	Email string
	// EmailVerified reports whether the email address was verified.
	EmailVerified bool
	// PhoneNumber is the E.164 phone number, empty when none.
	PhoneNumber string
	// DisplayName is the user's display name.
	DisplayName string
	// PhotoURL is the URL of the user's photo.
	PhotoURL string
	// Disabled reports whether the account is disabled.
	Disabled bool
	// CustomClaims are the claims added to the user's ID tokens, nil when none.
	CustomClaims map[string]any
	// ProviderIDs lists the sign-in providers linked to the account, for
	// example "password" and "google.com".
	ProviderIDs []string
	// TenantID is the Identity Platform tenant, empty for the default one.
	TenantID string
	// CreatedAt is when the account was created.
	CreatedAt time.Time
	// LastLoginAt is the last sign-in, the zero time when never.
	LastLoginAt time.Time
	// TokensValidAfter is the validSince time: ID tokens from sign-ins before
	// it are revoked. The zero time when tokens were never revoked.
	TokensValidAfter time.Time
}

// UserToCreate holds the fields of a new user. Every field is optional; the
// service generates a uid when UID is empty.
type UserToCreate struct {
	// UID is the requested user id, at most 128 characters.
	UID string
	// Email is the email address.
	Email string
	// EmailVerified marks the email as verified.
	EmailVerified bool
	// Password is the password, at least 6 characters.
	Password string
	// PhoneNumber is an E.164 phone number such as +15555550100.
	PhoneNumber string
	// DisplayName is the display name.
	DisplayName string
	// PhotoURL is the URL of the user's photo.
	PhotoURL string
	// Disabled creates the account disabled.
	Disabled bool
}

// UserToUpdate holds the changes to a user. Nil fields stay as they are.
type UserToUpdate struct {
	// Email sets the email address.
	Email *string
	// EmailVerified sets whether the email is verified.
	EmailVerified *bool
	// Password sets a new password.
	Password *string
	// PhoneNumber sets the phone number; "" removes it.
	PhoneNumber *string
	// DisplayName sets the display name; "" removes it.
	DisplayName *string
	// PhotoURL sets the photo URL; "" removes it.
	PhotoURL *string
	// Disabled disables or enables the account.
	Disabled *bool
	// CustomClaims replaces the custom claims; an empty non-nil map removes
	// them all. At most 1000 bytes of JSON, no reserved claim names.
	CustomClaims map[string]any
}

// fromAPI converts the API's user record.
func fromAPI(u *identitytoolkit.GoogleCloudIdentitytoolkitV1UserInfo) (*User, error) {
	out := &User{
		UID:           u.LocalId,
		Email:         u.Email,
		EmailVerified: u.EmailVerified,
		PhoneNumber:   u.PhoneNumber,
		DisplayName:   u.DisplayName,
		PhotoURL:      u.PhotoUrl,
		Disabled:      u.Disabled,
		TenantID:      u.TenantId,
		CreatedAt:     millis(u.CreatedAt),
		LastLoginAt:   millis(u.LastLoginAt),
	}
	if u.ValidSince > 0 {
		out.TokensValidAfter = time.Unix(u.ValidSince, 0)
	}
	for _, p := range u.ProviderUserInfo {
		out.ProviderIDs = append(out.ProviderIDs, p.ProviderId)
	}
	if u.CustomAttributes != "" {
		if err := json.Unmarshal([]byte(u.CustomAttributes), &out.CustomClaims); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// millis converts milliseconds since the epoch, zero staying the zero time.
func millis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}
