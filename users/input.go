package users

import "strings"

// RegisterInput is a signup request: the API document's form fields, with
// their validation rules. The handler can validate it with the same rules
// before calling Register (httpx.Validate(in, "form")).
type RegisterInput struct {
	// Username is 3–50 characters and may not contain "@", so that a login
	// containing "@" is always an email address.
	Username string `json:"username" form:"username" validate:"required,min=3,max=50,excludes=@"`
	// Email is a valid address of at most 254 characters.
	Email string `json:"email" form:"email" validate:"required,email,max=254"`
	// Password is 8–128 characters.
	Password string `json:"password" form:"password" validate:"required,min=8,max=128"`
	// FirstName is 1–50 characters.
	FirstName string `json:"first_name" form:"first_name" validate:"required,min=1,max=50"`
	// LastName is 1–50 characters.
	LastName string `json:"last_name" form:"last_name" validate:"required,min=1,max=50"`
}

// normalize trims the fields other than the password.
func (in RegisterInput) normalize() RegisterInput {
	in.Username = strings.TrimSpace(in.Username)
	in.Email = normalizeEmail(in.Email)
	in.FirstName = strings.TrimSpace(in.FirstName)
	in.LastName = strings.TrimSpace(in.LastName)
	return in
}

// ProfileUpdate is a partial update of a user's profile: nil fields are
// left unchanged.
type ProfileUpdate struct {
	// FirstName, when set, is 1–50 characters.
	FirstName *string `json:"first_name" form:"first_name" validate:"omitnil,min=1,max=50"`
	// LastName, when set, is 1–50 characters.
	LastName *string `json:"last_name" form:"last_name" validate:"omitnil,min=1,max=50"`
	// Email, when set, is a valid address of at most 254 characters,
	// unique among users.
	Email *string `json:"email" form:"email" validate:"omitnil,email,max=254"`
}

// empty reports whether the update changes nothing.
func (p ProfileUpdate) empty() bool {
	return p.FirstName == nil && p.LastName == nil && p.Email == nil
}

// normalize trims the set fields and normalises the email.
func (p ProfileUpdate) normalize() ProfileUpdate {
	trim := func(s *string, f func(string) string) *string {
		if s == nil {
			return nil
		}
		v := f(*s)
		return &v
	}
	p.FirstName = trim(p.FirstName, strings.TrimSpace)
	p.LastName = trim(p.LastName, strings.TrimSpace)
	p.Email = trim(p.Email, normalizeEmail)
	return p
}

// PasswordChange is a change-password request.
type PasswordChange struct {
	// CurrentPassword must match the stored hash.
	CurrentPassword string `json:"current_password" form:"current_password" validate:"required,max=1024"`
	// NewPassword is 8–128 characters.
	NewPassword string `json:"new_password" form:"new_password" validate:"required,min=8,max=128"`
}
