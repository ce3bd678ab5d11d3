package users

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// RegisterInput is a signup request: its form fields, with
// their validation rules. The handler can validate it with the same rules
// before calling Register (httpx.Validate(in, "form")); Register also
// applies the text policy below to the normalised values.
type RegisterInput struct {
	// Username, after trimming and NFKC normalisation (the form stored), is
	// 3–50 characters: letters (with their combining marks) and digits of
	// any script, '_', '.' and '-', starting with a letter or digit. So a
	// login containing "@" is always an email address.
	Username string `json:"username" form:"username" validate:"required,min=3,max=50"`
	// Email is a valid address of at most 254 characters.
	Email string `json:"email" form:"email" validate:"required,email,max=254"`
	// Password is 8–128 characters.
	Password string `json:"password" form:"password" validate:"required,min=8,max=128"`
	// FirstName is 1–50 characters after trimming: any printable text, but
	// no control or format characters and no invalid UTF-8.
	FirstName string `json:"first_name" form:"first_name" validate:"required,min=1,max=50"`
	// LastName follows the rules of FirstName.
	LastName string `json:"last_name" form:"last_name" validate:"required,min=1,max=50"`
}

// normalize trims the fields other than the password and brings the
// username to NFKC, the form in which it is checked and stored. Invalid
// UTF-8 is kept as it is, for validation to refuse.
func (in RegisterInput) normalize() RegisterInput {
	in.Username = strings.TrimSpace(in.Username)
	if utf8.ValidString(in.Username) {
		in.Username = norm.NFKC.String(in.Username)
	}
	in.Email = normalizeText(in.Email, normalizeEmail)
	in.FirstName = strings.TrimSpace(in.FirstName)
	in.LastName = strings.TrimSpace(in.LastName)
	return in
}

// checkText implements textChecker.
func (in RegisterInput) checkText(report func(field, msg, typ string)) {
	if !checkUsername(in.Username) {
		report("username", msgUsername, typeUsername)
	}
	checkNames(report, &in.FirstName, &in.LastName)
	if !checkStored(in.Email) {
		report("email", msgText, typeText)
	}
}

// ProfileUpdate is a partial update of a user's profile: nil fields are
// left unchanged.
type ProfileUpdate struct {
	// FirstName, when set, follows the rules of RegisterInput.FirstName.
	FirstName *string `json:"first_name" form:"first_name" validate:"omitnil,min=1,max=50"`
	// LastName, when set, follows the rules of RegisterInput.LastName.
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
		v := normalizeText(*s, f)
		return &v
	}
	p.FirstName = trim(p.FirstName, strings.TrimSpace)
	p.LastName = trim(p.LastName, strings.TrimSpace)
	p.Email = trim(p.Email, normalizeEmail)
	return p
}

// checkText implements textChecker.
func (p ProfileUpdate) checkText(report func(field, msg, typ string)) {
	checkNames(report, p.FirstName, p.LastName)
	if p.Email != nil && !checkStored(*p.Email) {
		report("email", msgText, typeText)
	}
}

// checkNames reports a set first or last name that breaks the name policy.
func checkNames(report func(field, msg, typ string), first, last *string) {
	if first != nil && !checkName(*first) {
		report("first_name", msgText, typeText)
	}
	if last != nil && !checkName(*last) {
		report("last_name", msgText, typeText)
	}
}

// normalizeText applies f to s unless s is invalid UTF-8, which f could
// silently repair (strings.ToLower turns bad bytes into U+FFFD); such a
// value is kept as it is, for validation to refuse.
func normalizeText(s string, f func(string) string) string {
	if !utf8.ValidString(s) {
		return strings.TrimSpace(s)
	}
	return f(s)
}

// PasswordChange is a change-password request.
type PasswordChange struct {
	// CurrentPassword must match the stored hash.
	CurrentPassword string `json:"current_password" form:"current_password" validate:"required,max=1024"`
	// NewPassword is 8–128 characters.
	NewPassword string `json:"new_password" form:"new_password" validate:"required,min=8,max=128"`
}
