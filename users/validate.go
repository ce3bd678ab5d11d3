package users

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"

	"github.com/groundwork-go/groundwork/httpx"
)

var (
	validateOnce sync.Once
	validate     *validator.Validate
)

// validatorInstance returns the package's validator, which names fields by
// their json tags.
func validatorInstance() *validator.Validate {
	validateOnce.Do(func() {
		validate = validator.New(validator.WithRequiredStructEnabled())
		validate.RegisterTagNameFunc(func(f reflect.StructField) string {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				return f.Name
			}
			return name
		})
	})
	return validate
}

// textChecker is implemented by inputs with text fields the store writes:
// checkText reports each field whose value breaks the text policy.
type textChecker interface {
	checkText(report func(field, msg, typ string))
}

// validateInput checks v's validate tags and, when v has text fields, the
// text policy (checkUsername, checkName, checkStored). On failure the error
// wraps ErrInvalidInput, an *httpx.ValidationError
// listing every invalid field by its wire name (WriteError answers it 422),
// and the validator.ValidationErrors of the tag rules that failed, if any.
func validateInput(op string, v any) error {
	err := validatorInstance().Struct(v)
	var tagErrs validator.ValidationErrors
	if err != nil && !errors.As(err, &tagErrs) {
		return fmt.Errorf("users: %s: %w", op, err)
	}
	fields := new(httpx.ValidationError)
	if len(tagErrs) > 0 {
		// The same tags through httpx give the API's messages and types.
		var tagFields *httpx.ValidationError
		if errors.As(httpx.Validate(v, "json"), &tagFields) {
			fields.Detail = tagFields.Detail
		}
	}
	if c, ok := v.(textChecker); ok {
		c.checkText(func(field, msg, typ string) {
			// One complaint per field: the policy's message, which says
			// what is allowed, replaces the tag's.
			loc := []string{field}
			fields.Detail = slices.DeleteFunc(fields.Detail, func(f httpx.FieldError) bool { return slices.Equal(f.Loc, loc) })
			fields.Add(loc, msg, typ)
		})
	}
	if len(fields.Detail) == 0 {
		return nil
	}
	return &inputError{op: op, fields: fields, tagErrs: tagErrs}
}

// inputError is the error of validateInput. It matches ErrInvalidInput;
// errors.As finds its *httpx.ValidationError and, when a validate tag
// failed, the validator.ValidationErrors.
type inputError struct {
	op      string
	fields  *httpx.ValidationError
	tagErrs validator.ValidationErrors
}

func (e *inputError) Error() string {
	return "users: " + e.op + ": invalid input: " + e.fields.Error()
}

func (e *inputError) Unwrap() []error {
	errs := []error{ErrInvalidInput, e.fields}
	if len(e.tagErrs) > 0 {
		errs = append(errs, e.tagErrs)
	}
	return errs
}

// Messages and types of the text policy's 422 field errors.
const (
	msgUsername = "must be 3 to 50 letters or digits of any script, '_', '.' or '-', " +
		"starting with a letter or digit (no spaces, other punctuation, symbols, control or invisible characters)"
	typeUsername = "value_error.str.username"
	msgText      = "must be printable text: valid UTF-8 without control or invisible formatting characters"
	typeText     = "value_error.str.printable"
)

// checkUsername reports whether s, already NFKC-normalised, is an allowed
// username: letters (with their combining marks) and decimal digits of any
// script, '_', '.' and '-', starting with a letter or digit. Whitespace,
// other punctuation, symbols, control (Cc) and format (Cf) characters such
// as zero-width joiners and bidirectional overrides are refused. The length
// (3–50 characters) is the validate tag's to check.
func checkUsername(s string) bool {
	if !utf8.ValidString(s) || s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r):
		case i > 0 && (unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)):
			// Combining marks spell letters in many scripts (Devanagari
			// vowel signs, Thai tone marks) but cannot start a name.
		case i > 0 && (r == '_' || r == '.' || r == '-'):
		default:
			return false
		}
	}
	return true
}

// checkName reports whether s is allowed as a first or last name: valid
// UTF-8 of graphic characters and spaces (any script, punctuation and
// symbols included), with no control (Cc), format (Cf), private-use or
// unassigned code points and no line or paragraph separators.
func checkName(s string) bool {
	return allRunes(s, unicode.IsGraphic)
}

// checkStored reports whether s may be written to the database as text at
// all: valid UTF-8 with no control (Cc) or format (Cf) characters. It
// guards fields whose own rules (such as the email syntax) are checked
// elsewhere.
func checkStored(s string) bool {
	return allRunes(s, func(r rune) bool { return !unicode.In(r, unicode.Cc, unicode.Cf) })
}

// allRunes reports whether s is valid UTF-8 and every rune is allowed.
func allRunes(s string, allowed func(rune) bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !allowed(r) {
			return false
		}
	}
	return true
}

// validLogin reports whether login could name a user at all: valid UTF-8
// without control or format characters, and no longer than an email
// address may be. A login that fails it is not looked up (PostgreSQL would
// refuse a NUL byte or invalid UTF-8 as a query parameter); the caller
// answers it as invalid credentials after the same hashing work as for an
// unknown user.
func validLogin(login string) bool {
	return len(login) <= maxLoginBytes && checkStored(login)
}

// maxLoginBytes bounds a login: the longest email address (254 characters)
// in UTF-8, at most four bytes each.
const maxLoginBytes = 4 * 254
