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
	ErrUsernameTaken error = &takenError{field: "username"}

	// ErrEmailTaken means another user has the email address (compared
	// after normalisation). errors.Is(ErrEmailTaken, ErrAlreadyExists)
	// holds.
	ErrEmailTaken error = &takenError{field: "email"}

	// ErrConflict means the record changed between reading and writing it
	// (for example, the password hash was replaced concurrently).
	ErrConflict = errors.New("users: concurrent modification")

	// ErrInvalidCredentials means the login is unknown or the password is
	// wrong; the two cases are deliberately indistinguishable.
	ErrInvalidCredentials = errors.New("users: invalid credentials")

	// ErrInvalidInput means the input failed validation. Errors wrapping it
	// from Register, UpdateProfile and ChangePassword also wrap the
	// validator.ValidationErrors naming the fields by their wire names.
	ErrInvalidInput = errors.New("users: invalid input")

	// ErrPasswordTooLong means the password exceeds MaxPasswordBytes and
	// is refused before hashing.
	ErrPasswordTooLong = errors.New("users: password too long")

	// ErrUnsupportedHash means a stored hash is not an argon2id PHC string
	// this package can verify, or its parameters are out of bounds.
	ErrUnsupportedHash = errors.New("users: unsupported password hash")
)

// takenError is the type of ErrUsernameTaken and ErrEmailTaken, so that both
// also match ErrAlreadyExists.
type takenError struct{ field string }

func (e *takenError) Error() string { return "users: " + e.field + " already taken" }

// Is reports whether target is ErrAlreadyExists.
func (e *takenError) Is(target error) bool { return target == ErrAlreadyExists }
