package users

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/groundwork-go/groundwork/auth"
)

// TokenRevoker revokes every token a user holds that was issued before at.
// The auth package's revocation store implements it; Service calls it after
// a password change and after an account deletion.
type TokenRevoker interface {
	RevokeUser(ctx context.Context, userID string, at time.Time) error
}

// Options configure a Service. The zero value works.
type Options struct {
	// Hasher hashes passwords. Default NewHasher(HasherOptions{}): argon2id
	// with DefaultParams.
	Hasher *Hasher
	// Revoker, when set, is told to revoke a user's earlier tokens after a
	// password change or deletion. Default nil: no revocation.
	Revoker TokenRevoker
	// OnChange, when set, is called after a profile update, password change
	// or deletion succeeds (for example, to drop a cached user). Default
	// nil.
	OnChange func(ctx context.Context, userID int64)
	// Logger receives failures that do not fail the call (a lost re-hash).
	// Default slog.Default().
	Logger *slog.Logger
	// Now is the clock for revocation times. Default time.Now.
	Now func() time.Time
}

// Service is the account logic on top of a Store. It is safe for concurrent
// use.
type Service struct {
	store    Store
	hasher   *Hasher
	revoker  TokenRevoker
	onChange func(ctx context.Context, userID int64)
	log      *slog.Logger
	now      func() time.Time
}

// NewService returns a Service storing users in store.
func NewService(store Store, opts Options) *Service {
	s := &Service{store: store, hasher: opts.Hasher, revoker: opts.Revoker,
		onChange: opts.OnChange, log: opts.Logger, now: opts.Now}
	if s.hasher == nil {
		s.hasher = NewHasher(HasherOptions{})
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Register validates in, hashes the password and creates the user. Errors:
// ErrInvalidInput (wrapping validator.ValidationErrors), ErrUsernameTaken,
// ErrEmailTaken.
func (s *Service) Register(ctx context.Context, in RegisterInput) (*User, error) {
	in = in.normalize()
	if err := validateInput("register", in); err != nil {
		return nil, err
	}
	hash, err := s.hasher.Hash(ctx, in.Password)
	if err != nil {
		return nil, fmt.Errorf("users: register: %w", err)
	}
	return s.store.Create(ctx, User{Username: in.Username, Email: in.Email,
		FirstName: in.FirstName, LastName: in.LastName, PasswordHash: hash})
}

// Authenticate returns the user whose username or email is login and whose
// password is password. An unknown login, a wrong password and an
// unverifiable stored hash all return ErrInvalidCredentials after the same
// hashing work. On success, a hash with parameters weaker than the current
// ones is replaced.
func (s *Service) Authenticate(ctx context.Context, login, password string) (*User, error) {
	if len(password) > MaxPasswordBytes {
		return nil, fmt.Errorf("users: authenticate: %w", ErrInvalidCredentials)
	}
	u, err := s.store.GetByLogin(ctx, login)
	if errors.Is(err, ErrNotFound) {
		s.hasher.VerifyDummy(ctx, password)
		return nil, fmt.Errorf("users: authenticate: %w", ErrInvalidCredentials)
	}
	if err != nil {
		return nil, fmt.Errorf("users: authenticate: %w", err)
	}
	match, rehash, err := s.hasher.Verify(ctx, u.PasswordHash, password)
	if errors.Is(err, ErrUnsupportedHash) {
		s.hasher.VerifyDummy(ctx, password)
		return nil, fmt.Errorf("users: authenticate user %d: %w: %w", u.ID, ErrInvalidCredentials, err)
	}
	if err != nil {
		return nil, fmt.Errorf("users: authenticate: %w", err)
	}
	if !match {
		return nil, fmt.Errorf("users: authenticate: %w", ErrInvalidCredentials)
	}
	if rehash {
		s.rehash(ctx, u, password)
	}
	return u, nil
}

// rehash replaces u's hash with one made with the current parameters. A
// failure is logged, not returned: the login itself succeeded. The update
// is conditional on the old hash, so it never undoes a concurrent password
// change.
func (s *Service) rehash(ctx context.Context, u *User, password string) {
	hash, err := s.hasher.Hash(ctx, password)
	if err == nil {
		err = s.store.UpdatePasswordHash(ctx, u.ID, u.PasswordHash, hash)
	}
	if err != nil {
		s.log.WarnContext(ctx, "users: re-hash on login failed", "user_id", u.ID, "error", err)
		return
	}
	u.PasswordHash = hash
}

// Get returns the user with the given id, or ErrNotFound.
func (s *Service) Get(ctx context.Context, id int64) (*User, error) {
	return s.store.GetByID(ctx, id)
}

// UpdateProfile applies the non-nil fields of p and returns the updated
// user. Errors: ErrInvalidInput, ErrNotFound, ErrEmailTaken.
func (s *Service) UpdateProfile(ctx context.Context, id int64, p ProfileUpdate) (*User, error) {
	p = p.normalize()
	if err := validateInput("update profile", p); err != nil {
		return nil, err
	}
	if p.empty() {
		return s.store.GetByID(ctx, id)
	}
	u, err := s.store.Update(ctx, id, p)
	if err != nil {
		return nil, err
	}
	s.changed(ctx, id)
	return u, nil
}

// ChangePassword replaces the password of user id after checking the
// current one, then revokes the user's earlier tokens. Errors:
// ErrInvalidInput (the new password), ErrInvalidCredentials (the current
// password is wrong), ErrNotFound, ErrConflict (the password changed
// concurrently). If only the revocation fails, the password has been
// changed and the error says so.
func (s *Service) ChangePassword(ctx context.Context, id int64, current, next string) error {
	if err := validateInput("change password", PasswordChange{CurrentPassword: current, NewPassword: next}); err != nil {
		return err
	}
	u, err := s.store.GetByID(ctx, id)
	if err != nil {
		return fmt.Errorf("users: change password: %w", err)
	}
	match, _, err := s.hasher.Verify(ctx, u.PasswordHash, current)
	if err != nil && !errors.Is(err, ErrUnsupportedHash) {
		return fmt.Errorf("users: change password: %w", err)
	}
	if !match {
		return fmt.Errorf("users: change password: %w", ErrInvalidCredentials)
	}
	hash, err := s.hasher.Hash(ctx, next)
	if err != nil {
		return fmt.Errorf("users: change password: %w", err)
	}
	if err := s.store.UpdatePasswordHash(ctx, id, u.PasswordHash, hash); err != nil {
		return fmt.Errorf("users: change password: %w", err)
	}
	return s.revokeAndNotify(ctx, "change password", id)
}

// Delete removes user id and revokes all its tokens. Errors: ErrNotFound.
// If only the revocation fails, the user has been deleted and the error
// says so.
func (s *Service) Delete(ctx context.Context, id int64) error {
	if err := s.store.Delete(ctx, id); err != nil {
		return err
	}
	return s.revokeAndNotify(ctx, "delete", id)
}

// revokeAndNotify revokes the user's tokens issued until now and runs the
// change hook.
func (s *Service) revokeAndNotify(ctx context.Context, op string, id int64) error {
	defer s.changed(ctx, id)
	if s.revoker == nil {
		return nil
	}
	if err := s.revoker.RevokeUser(ctx, strconv.FormatInt(id, 10), s.now()); err != nil {
		return fmt.Errorf("users: %s: done, but revoking tokens of user %d failed: %w", op, id, err)
	}
	return nil
}

func (s *Service) changed(ctx context.Context, id int64) {
	if s.onChange != nil {
		s.onChange(ctx, id)
	}
}

// The Service is what auth's login handler and middleware consult.
var (
	_ auth.CredentialChecker = (*Service)(nil)
	_ auth.SubjectChecker    = (*Service)(nil)
)

// CheckCredentials implements auth.CredentialChecker with Authenticate: it
// returns the user's id as a decimal string (the token subject), or an
// error wrapping both ErrInvalidCredentials and auth.ErrInvalidCredentials.
func (s *Service) CheckCredentials(ctx context.Context, login, password string) (subject string, err error) {
	u, err := s.Authenticate(ctx, login, password)
	if errors.Is(err, ErrInvalidCredentials) {
		return "", fmt.Errorf("%w: %w", auth.ErrInvalidCredentials, err)
	}
	if IsUnavailable(err) {
		return "", fmt.Errorf("%w: %w", auth.ErrUnavailable, err)
	}
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(u.ID, 10), nil
}

// Exists implements auth.SubjectChecker: it reports whether the user named
// by subject (a decimal id, as CheckCredentials returns) still exists. A
// malformed subject does not exist.
func (s *Service) Exists(ctx context.Context, subject string) (bool, error) {
	id, err := strconv.ParseInt(subject, 10, 64)
	if err != nil || id <= 0 {
		return false, nil
	}
	_, err = s.store.GetByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("users: exists: %w", err)
	}
	return true, nil
}
