package users

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/groundwork-go/groundwork/auth"
)

// CredentialGuard ends every session of a user before a credential change
// takes effect, and calls apply to make the change only once they are
// ended. *auth.Authenticator implements it (auth.Authenticator.ChangeCredentials);
// Service uses it for password changes and account deletions.
type CredentialGuard interface {
	ChangeCredentials(ctx context.Context, subject string, apply func(ctx context.Context) error) (auth.Credentials, error)
}

// Options configure a Service. The zero value works.
type Options struct {
	// Hasher hashes passwords. Default NewHasher(HasherOptions{}): argon2id
	// with DefaultParams.
	Hasher *Hasher
	// Guard, when set, ends the user's sessions before a password change or
	// deletion is applied (and raises the user's credential epoch, so no
	// token issued before survives it). Default nil: nothing is revoked.
	Guard CredentialGuard
	// OnChange, when set, is called after a profile update, password change
	// or deletion succeeds (for example, to drop a cached user). Default
	// nil.
	OnChange func(ctx context.Context, userID int64)
	// Logger receives failures that do not fail the call (a lost re-hash).
	// Default slog.Default().
	Logger *slog.Logger
}

// Service is the account logic on top of a Store. It is safe for concurrent
// use.
type Service struct {
	store    Store
	hasher   *Hasher
	guard    CredentialGuard
	onChange func(ctx context.Context, userID int64)
	log      *slog.Logger
}

// NewService returns a Service storing users in store.
func NewService(store Store, opts Options) *Service {
	s := &Service{store: store, hasher: opts.Hasher, guard: opts.Guard,
		onChange: opts.OnChange, log: opts.Logger}
	if s.hasher == nil {
		s.hasher = NewHasher(HasherOptions{})
	}
	if s.log == nil {
		s.log = slog.Default()
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
	var u *User
	err := ErrNotFound
	if validLogin(login) { // bytes no store could hold are an unknown login
		u, err = s.store.GetByLogin(ctx, login)
	}
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalidData) {
		// The same hashing work as a known user, and the same ErrBusy
		// when hashing is saturated, so the answer tells nothing.
		if err := s.hasher.VerifyDummy(ctx, password); err != nil {
			return nil, fmt.Errorf("users: authenticate: %w", err)
		}
		return nil, fmt.Errorf("users: authenticate: %w", ErrInvalidCredentials)
	}
	if err != nil {
		return nil, fmt.Errorf("users: authenticate: %w", err)
	}
	match, rehash, err := s.hasher.Verify(ctx, u.PasswordHash, password)
	if errors.Is(err, ErrUnsupportedHash) {
		if err := s.hasher.VerifyDummy(ctx, password); err != nil {
			return nil, fmt.Errorf("users: authenticate: %w", err)
		}
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
// current one. Through the Guard, every session of the user ends before
// the new hash is stored, so a failure leaves the old password in place,
// never the new password beside live old tokens. It returns the
// credentials to start the caller's next session with. Errors:
// ErrInvalidInput (the new password), ErrInvalidCredentials (the current
// password is wrong), ErrNotFound, ErrConflict (the password changed
// concurrently), or the Guard's error (auth.ErrUnavailable).
func (s *Service) ChangePassword(ctx context.Context, id int64, current, next string) (auth.Credentials, error) {
	if err := validateInput("change password", PasswordChange{CurrentPassword: current, NewPassword: next}); err != nil {
		return auth.Credentials{}, err
	}
	u, err := s.store.GetByID(ctx, id)
	if err != nil {
		return auth.Credentials{}, fmt.Errorf("users: change password: %w", err)
	}
	match, _, err := s.hasher.Verify(ctx, u.PasswordHash, current)
	if err != nil && !errors.Is(err, ErrUnsupportedHash) {
		return auth.Credentials{}, fmt.Errorf("users: change password: %w", err)
	}
	if !match {
		return auth.Credentials{}, fmt.Errorf("users: change password: %w", ErrInvalidCredentials)
	}
	hash, err := s.hasher.Hash(ctx, next)
	if err != nil {
		return auth.Credentials{}, fmt.Errorf("users: change password: %w", err)
	}
	c, err := s.guarded(ctx, id, u.CredentialEpoch, func(ctx context.Context) error {
		return s.store.UpdatePasswordHash(ctx, id, u.PasswordHash, hash)
	})
	if err != nil {
		return auth.Credentials{}, fmt.Errorf("users: change password: %w", err)
	}
	return c, nil
}

// Delete removes user id after ending all its sessions. Errors:
// ErrNotFound, or the Guard's error (auth.ErrUnavailable; the user is then
// not deleted).
func (s *Service) Delete(ctx context.Context, id int64) error {
	if _, err := s.guarded(ctx, id, 0, func(ctx context.Context) error { return s.store.Delete(ctx, id) }); err != nil {
		return fmt.Errorf("users: delete: %w", err)
	}
	return nil
}

// guarded applies a credential change through the Guard, then runs the
// change hook (also when only the sessions were ended).
func (s *Service) guarded(ctx context.Context, id, epoch int64, apply func(ctx context.Context) error) (auth.Credentials, error) {
	subject := strconv.FormatInt(id, 10)
	defer s.changed(ctx, id)
	if s.guard == nil {
		return auth.Credentials{Subject: subject, Epoch: epoch}, apply(ctx)
	}
	c, err := s.guard.ChangeCredentials(ctx, subject, apply)
	if errors.Is(err, auth.ErrSessionNotFound) {
		return c, ErrNotFound
	}
	return c, err
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
// returns the user's id as a decimal string (the token subject) and the
// credential epoch read with the password hash, or an error wrapping both
// ErrInvalidCredentials and auth.ErrInvalidCredentials.
func (s *Service) CheckCredentials(ctx context.Context, login, password string) (auth.Credentials, error) {
	u, err := s.Authenticate(ctx, login, password)
	if errors.Is(err, ErrInvalidCredentials) {
		return auth.Credentials{}, fmt.Errorf("%w: %w", auth.ErrInvalidCredentials, err)
	}
	if IsUnavailable(err) {
		return auth.Credentials{}, fmt.Errorf("%w: %w", auth.ErrUnavailable, err)
	}
	if err != nil {
		return auth.Credentials{}, err
	}
	return auth.Credentials{Subject: strconv.FormatInt(u.ID, 10), Epoch: u.CredentialEpoch}, nil
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
