package users

import "errors"

// Sentinel errors returned (wrapped with the operation) by the store and the
// service. Test for them with errors.Is.
var (
	// ErrNotFound means no user has the given id, username or email.
	ErrNotFound = errors.New("users: user not found")

	// ErrAlreadyExists means a unique field is taken by another user.
	// ErrUsernameTaken and ErrEmailTaken both match it with errors.Is.
	ErrAlreadyExists = errors.New("users: user already exists")

	// ErrUsernameTaken means another user has the username (compared
	// case-insensitively). errors.Is(ErrUsernameTaken, ErrAlreadyExists)
	// holds.
	ErrUsernameTaken error = &subError{msg: "users: username already taken", parent: ErrAlreadyExists}

	// ErrEmailTaken means another user has the email address (compared
	// after normalisation). errors.Is(ErrEmailTaken, ErrAlreadyExists)
	// holds.
	ErrEmailTaken error = &subError{msg: "users: email already taken", parent: ErrAlreadyExists}

	// ErrConflict means the record changed between reading and writing it
	// (for example, the password hash was replaced concurrently).
	ErrConflict = errors.New("users: concurrent modification")

	// ErrInvalidCredentials means the login is unknown or the password is
	// wrong; the two cases are deliberately indistinguishable.
	ErrInvalidCredentials = errors.New("users: invalid credentials")

	// ErrInvalidInput means the input failed validation. Errors wrapping it
	// from Register, UpdateProfile and ChangePassword also wrap an
	// *httpx.ValidationError listing every invalid field by its wire name
	// (httpx.WriteError answers it 422) and, when a rule of the validate
	// tags failed, the validator.ValidationErrors.
	ErrInvalidInput = errors.New("users: invalid input")

	// ErrInvalidData means the database rejected a value as malformed, for
	// example PostgreSQL's SQLSTATE 22021 for a NUL byte or invalid UTF-8
	// in text (any error of class 22, data exception, maps to it). Input
	// validation refuses such values before the database sees them; this
	// covers a value that slips past it. errors.Is(ErrInvalidData,
	// ErrInvalidInput) holds.
	ErrInvalidData error = &subError{msg: "users: value rejected by the database", parent: ErrInvalidInput}

	// ErrBusy means every password-hashing slot stayed taken for longer
	// than the Hasher's MaxWait; the request was dropped without hashing.
	// It is a condition of the service, not of the request: IsUnavailable
	// reports it, and Handlers answer it 503 with a Retry-After header
	// (the error has a RetryAfter() time.Duration method).
	ErrBusy = errors.New("users: password hashing busy")

	// ErrPasswordTooLong means the password exceeds MaxPasswordBytes and
	// is refused before hashing.
	ErrPasswordTooLong = errors.New("users: password too long")

	// ErrUnsupportedHash means a stored hash is not an argon2id PHC string
	// this package can verify, or its parameters are out of bounds.
	ErrUnsupportedHash = errors.New("users: unsupported password hash")
)

// subError is a sentinel that also matches a more general one with
// errors.Is, such as ErrUsernameTaken matching ErrAlreadyExists.
type subError struct {
	msg    string
	parent error
}

func (e *subError) Error() string { return e.msg }

// Is reports whether target is e's more general sentinel.
func (e *subError) Is(target error) bool { return target == e.parent }
