package users_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/auth"
	"github.com/groundwork-go/groundwork/auth/authtest"
	"github.com/groundwork-go/groundwork/internal/testenv"
	"github.com/groundwork-go/groundwork/users"
)

// auth's Authenticator is the production CredentialGuard.
var _ users.CredentialGuard = (*auth.Authenticator)(nil)

// failingRevocations is a RevocationStore whose writes fail on demand.
type failingRevocations struct {
	auth.RevocationStore
	fail atomic.Bool
}

var errRevocationsDown = errors.New("revocation store down")

func (f *failingRevocations) RaiseEpoch(ctx context.Context, subject string, epoch int64, keep time.Duration) error {
	if f.fail.Load() {
		return errRevocationsDown
	}
	return f.RevocationStore.RaiseEpoch(ctx, subject, epoch, keep)
}

// serviceEnv is a Service on a fresh database with a real Authenticator
// (sessions in the same database) as its Guard.
type serviceEnv struct {
	svc         *users.Service
	store       *users.SQLStore
	hasher      *users.Hasher
	authn       *auth.Authenticator
	revocations *failingRevocations

	mu      sync.Mutex
	changed []int64
}

func newServiceEnv(t *testing.T, params users.Params) *serviceEnv {
	t.Helper()
	db := testenv.DB(t)
	if err := users.Migrate(context.Background(), db); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	e := &serviceEnv{
		store:       users.NewStore(db),
		hasher:      users.NewHasher(users.HasherOptions{Params: params}),
		revocations: &failingRevocations{RevocationStore: auth.NewMemoryRevocations(auth.MemoryRevocationOptions{})},
	}
	key, _ := auth.HS256Key("k", []byte("0123456789abcdef0123456789abcdef"))
	tokens, _ := auth.NewTokens(key, auth.TokenOptions{})
	var err error
	if e.authn, err = auth.NewAuthenticator(tokens, users.NewSessions(db), e.revocations, auth.Options{}); err != nil {
		t.Fatal(err)
	}
	e.svc = users.NewService(e.store, users.Options{
		Hasher: e.hasher,
		Guard:  e.authn,
		OnChange: func(_ context.Context, id int64) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.changed = append(e.changed, id)
		},
	})
	return e
}

// login checks the password and starts a session, as the login handler does.
func (e *serviceEnv) login(t *testing.T, username, password string) *auth.TokenPair {
	t.Helper()
	c, err := e.svc.CheckCredentials(context.Background(), username, password)
	if err != nil {
		t.Fatalf("CheckCredentials(%s): %v", username, err)
	}
	pair, err := e.authn.StartSession(context.Background(), c, auth.ClientInfo{})
	if err != nil {
		t.Fatalf("StartSession: %v", err)
	}
	return pair
}

// alive reports whether an access token still authenticates.
func (e *serviceEnv) alive(t *testing.T, access string) bool {
	t.Helper()
	_, err := e.authn.Verify(context.Background(), access, auth.AccessToken)
	if err != nil && !errors.Is(err, auth.ErrTokenRevoked) {
		t.Fatalf("Verify: %v", err)
	}
	return err == nil
}

func (e *serviceEnv) Changed() []int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.changed)
}

func validInput(name string) users.RegisterInput {
	return users.RegisterInput{Username: name, Email: name + "@example.com",
		Password: "secretpassword", FirstName: "John", LastName: "Doe"}
}

func (e *serviceEnv) register(t *testing.T, name string) *users.User {
	t.Helper()
	u, err := e.svc.Register(context.Background(), validInput(name))
	if err != nil {
		t.Fatalf("Register(%q): %v", name, err)
	}
	return u
}

func TestRegister(t *testing.T) {
	e := newServiceEnv(t, cheap)
	ctx := context.Background()
	in := users.RegisterInput{Username: " JohnDoe ", Email: " John@Example.com", Password: " secret password ",
		FirstName: " John ", LastName: "Doe"}
	u, err := e.svc.Register(ctx, in)
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	if u.ID <= 0 || u.Username != "JohnDoe" || u.Email != "john@example.com" || u.FirstName != "John" || u.LastName != "Doe" {
		t.Errorf("Register = %+v, want the normalised input", u)
	}
	if !strings.HasPrefix(u.PasswordHash, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("PasswordHash = %q, want an argon2id PHC string with the hasher's parameters", u.PasswordHash)
	}
	// The password is not trimmed.
	if _, err := e.svc.Authenticate(ctx, "johndoe", " secret password "); err != nil {
		t.Errorf("Authenticate(untrimmed password): %v", err)
	}
	if _, err := e.svc.Authenticate(ctx, "johndoe", "secret password"); !errors.Is(err, users.ErrInvalidCredentials) {
		t.Errorf("Authenticate(trimmed password) error = %v, want ErrInvalidCredentials", err)
	}
}

func TestUserJSON(t *testing.T) {
	e := newServiceEnv(t, cheap)
	u := e.register(t, "johndoe")
	b, err := json.Marshal(u)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	var fields map[string]any
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	var keys []string
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"created_at", "email", "first_name", "id", "last_name", "updated_at", "username"}
	if !slices.Equal(keys, want) {
		t.Errorf("JSON keys = %v, want %v", keys, want)
	}
	if strings.Contains(string(b), "argon2") {
		t.Errorf("JSON %s contains the password hash", b)
	}
	if _, err := time.Parse(time.RFC3339, fields["created_at"].(string)); err != nil {
		t.Errorf("created_at %v is not ISO 8601: %v", fields["created_at"], err)
	}
	if fields["id"] != float64(u.ID) {
		t.Errorf("id = %v, want %d", fields["id"], u.ID)
	}
}

func TestRegisterValidation(t *testing.T) {
	e := newServiceEnv(t, cheap)
	tests := []struct {
		name   string
		modify func(*users.RegisterInput)
		field  string // wire name of the failing field, "" when valid
	}{
		{"valid", func(*users.RegisterInput) {}, ""},
		{"username too short", func(in *users.RegisterInput) { in.Username = "ab" }, "username"},
		{"username short after trim", func(in *users.RegisterInput) { in.Username = "  ab  " }, "username"},
		{"username 50 chars", func(in *users.RegisterInput) { in.Username = strings.Repeat("u", 50) }, ""},
		{"username 51 chars", func(in *users.RegisterInput) { in.Username = strings.Repeat("u", 51) }, "username"},
		{"username with @", func(in *users.RegisterInput) { in.Username = "a@b" }, "username"},
		{"username missing", func(in *users.RegisterInput) { in.Username = "" }, "username"},
		{"email invalid", func(in *users.RegisterInput) { in.Email = "not-an-email" }, "email"},
		{"email missing", func(in *users.RegisterInput) { in.Email = "" }, "email"},
		{"password 7 chars", func(in *users.RegisterInput) { in.Password = "1234567" }, "password"},
		{"password 8 chars", func(in *users.RegisterInput) { in.Password = "12345678" }, ""},
		{"password 128 multibyte chars", func(in *users.RegisterInput) { in.Password = strings.Repeat("密", 128) }, ""},
		{"password 129 chars", func(in *users.RegisterInput) { in.Password = strings.Repeat("p", 129) }, "password"},
		{"first name missing", func(in *users.RegisterInput) { in.FirstName = " " }, "first_name"},
		{"first name 51 chars", func(in *users.RegisterInput) { in.FirstName = strings.Repeat("f", 51) }, "first_name"},
		{"last name missing", func(in *users.RegisterInput) { in.LastName = "" }, "last_name"},
		{"last name 50 chars", func(in *users.RegisterInput) { in.LastName = strings.Repeat("l", 50) }, ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput(fmt.Sprintf("valid%d", i))
			tt.modify(&in)
			_, err := e.svc.Register(context.Background(), in)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Register: %v", err)
				}
				return
			}
			assertInvalidField(t, err, tt.field)
		})
	}
}

// assertInvalidField checks err is ErrInvalidInput naming field.
func assertInvalidField(t *testing.T, err error, field string) {
	t.Helper()
	assertFields(t, err, field)
}

func TestRegisterDuplicates(t *testing.T) {
	e := newServiceEnv(t, cheap)
	e.register(t, "johndoe")
	in := validInput("JOHNDOE")
	in.Email = "other@example.com"
	if _, err := e.svc.Register(context.Background(), in); !errors.Is(err, users.ErrUsernameTaken) {
		t.Errorf("Register(same username) error = %v, want ErrUsernameTaken", err)
	}
	in = validInput("janedoe")
	in.Email = "JohnDoe@Example.com"
	if _, err := e.svc.Register(context.Background(), in); !errors.Is(err, users.ErrEmailTaken) {
		t.Errorf("Register(same email) error = %v, want ErrEmailTaken", err)
	}
}

func TestRegisterConcurrently(t *testing.T) {
	e := newServiceEnv(t, cheap)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		wins  int
		start = make(chan struct{})
	)
	for i := range 30 {
		wg.Go(func() {
			<-start
			in := validInput([]string{"racer", "Racer", "RACER"}[i%3])
			in.Email = fmt.Sprintf("racer%d@example.com", i)
			_, err := e.svc.Register(context.Background(), in)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, users.ErrUsernameTaken):
				t.Errorf("Register error = %v, want nil or ErrUsernameTaken", err)
			}
		})
	}
	close(start)
	wg.Wait()
	if wins != 1 {
		t.Errorf("successful registrations = %d, want 1", wins)
	}
}

func TestAuthenticate(t *testing.T) {
	e := newServiceEnv(t, cheap)
	ctx := context.Background()
	want := e.register(t, "johndoe")
	bad, err := e.store.Create(ctx, users.User{Username: "legacy", Email: "legacy@example.com",
		FirstName: "L", LastName: "L", PasswordHash: "$2b$12$notargon2notargon2notargon2notargon2notargon2notargon2"})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	tests := []struct {
		name, login, password string
		ok                    bool
	}{
		{"username", "johndoe", "secretpassword", true},
		{"username other case", "JohnDoe", "secretpassword", true},
		{"email", "johndoe@example.com", "secretpassword", true},
		{"email other case", " JOHNDOE@example.com ", "secretpassword", true},
		{"wrong password", "johndoe", "secretpassworD", false},
		{"empty password", "johndoe", "", false},
		{"unknown username", "nobody", "secretpassword", false},
		{"unknown email", "nobody@example.com", "secretpassword", false},
		{"empty login", "", "secretpassword", false},
		{"password over the byte bound", "johndoe", strings.Repeat("x", users.MaxPasswordBytes+1), false},
		{"unsupported stored hash", bad.Username, "secretpassword", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := e.svc.Authenticate(ctx, tt.login, tt.password)
			if !tt.ok {
				if !errors.Is(err, users.ErrInvalidCredentials) || u != nil {
					t.Fatalf("Authenticate = %v, %v; want nil, ErrInvalidCredentials", u, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			if u.ID != want.ID {
				t.Errorf("Authenticate = user %d, want %d", u.ID, want.ID)
			}
		})
	}
}

// TestAuthenticateDoesSameWork checks that an unknown login, an unusable
// stored hash and a wrong password each cost exactly one argon2 computation
// with the current parameters, like a successful login.
func TestAuthenticateDoesSameWork(t *testing.T) {
	e := newServiceEnv(t, cheap)
	ctx := context.Background()
	e.register(t, "johndoe")
	if _, err := e.store.Create(ctx, users.User{Username: "legacy", Email: "legacy@example.com",
		FirstName: "L", LastName: "L", PasswordHash: "corrupt"}); err != nil {
		t.Fatalf("Create: %v", err)
	}
	e.svc.Authenticate(ctx, "nobody", "warm-up-the-dummy") // the first dummy use also creates it
	for _, tt := range []struct{ name, login, password string }{
		{"success", "johndoe", "secretpassword"},
		{"wrong password", "johndoe", "wrongpassword"},
		{"unknown user", "nobody", "secretpassword"},
		{"unknown email", "nobody@example.com", "secretpassword"},
		{"unusable stored hash", "legacy", "secretpassword"},
	} {
		before := users.Derivations(e.hasher)
		e.svc.Authenticate(ctx, tt.login, tt.password)
		if got := users.Derivations(e.hasher) - before; got != 1 {
			t.Errorf("%s: argon2 computations = %d, want 1", tt.name, got)
		}
	}
}

func TestAuthenticateRehashesWeakHashes(t *testing.T) {
	ctx := context.Background()
	current := users.Params{Memory: 8192, Iterations: 1, Parallelism: 1}
	e := newServiceEnv(t, current)
	tests := []struct {
		name, password, stored string
		rehash                 bool
	}{
		{"weaker reference hash", referenceHashes[2].password, referenceHashes[2].encoded, true},
		{"shorter salt and key", referenceHashes[1].password, referenceHashes[1].encoded, true},
		{"stronger argon2-cffi hash", referenceHashes[0].password, referenceHashes[0].encoded, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := fmt.Sprintf("legacy%d", i)
			u, err := e.store.Create(ctx, users.User{Username: name, Email: name + "@example.com",
				FirstName: "L", LastName: "L", PasswordHash: tt.stored})
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if _, err := e.svc.Authenticate(ctx, name, tt.password); err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			got, err := e.store.GetByID(ctx, u.ID)
			if err != nil {
				t.Fatalf("GetByID: %v", err)
			}
			if rehashed := got.PasswordHash != tt.stored; rehashed != tt.rehash {
				t.Fatalf("stored hash %q: rehashed %v, want %v", got.PasswordHash, rehashed, tt.rehash)
			}
			if tt.rehash && !strings.HasPrefix(got.PasswordHash, "$argon2id$v=19$m=8192,t=1,p=1$") {
				t.Errorf("new hash %q, want the current parameters", got.PasswordHash)
			}
			if !tt.rehash {
				return
			}
			if _, err := e.svc.Authenticate(ctx, name, tt.password); err != nil {
				t.Errorf("Authenticate after re-hash: %v", err)
			}
			if len(e.Changed()) != 0 {
				t.Errorf("OnChange calls = %v, want none for a re-hash", e.Changed())
			}
		})
	}
}

func ptr(s string) *string { return &s }

func TestUpdateProfile(t *testing.T) {
	e := newServiceEnv(t, cheap)
	ctx := context.Background()
	u := e.register(t, "johndoe")
	other := e.register(t, "janedoe")
	tests := []struct {
		name    string
		id      int64
		update  users.ProfileUpdate
		wantErr error
		field   string
		check   func(*users.User) bool
	}{
		{"first name", u.ID, users.ProfileUpdate{FirstName: ptr(" Johnny ")}, nil, "",
			func(got *users.User) bool { return got.FirstName == "Johnny" && got.LastName == "Doe" }},
		{"email", u.ID, users.ProfileUpdate{Email: ptr("J@Example.ORG")}, nil, "",
			func(got *users.User) bool { return got.Email == "j@example.org" && got.FirstName == "Johnny" }},
		{"nothing", u.ID, users.ProfileUpdate{}, nil, "",
			func(got *users.User) bool { return got.Email == "j@example.org" }},
		{"empty first name", u.ID, users.ProfileUpdate{FirstName: ptr("  ")}, users.ErrInvalidInput, "first_name", nil},
		{"long last name", u.ID, users.ProfileUpdate{LastName: ptr(strings.Repeat("l", 51))}, users.ErrInvalidInput, "last_name", nil},
		{"bad email", u.ID, users.ProfileUpdate{Email: ptr("nope")}, users.ErrInvalidInput, "email", nil},
		{"taken email", u.ID, users.ProfileUpdate{Email: ptr(other.Email)}, users.ErrEmailTaken, "", nil},
		{"missing user", 987654, users.ProfileUpdate{FirstName: ptr("x")}, users.ErrNotFound, "", nil},
	}
	wantChanged := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.svc.UpdateProfile(ctx, tt.id, tt.update)
			if tt.field != "" {
				assertInvalidField(t, err, tt.field)
			} else if !errors.Is(err, tt.wantErr) {
				t.Fatalf("UpdateProfile error = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				if n := len(e.Changed()); n != wantChanged {
					t.Errorf("OnChange calls = %d, want %d (none for a failed update)", n, wantChanged)
				}
				return
			}
			if !tt.check(got) {
				t.Errorf("UpdateProfile = %+v", got)
			}
			if tt.name != "nothing" {
				wantChanged++
			}
			if changed := e.Changed(); len(changed) != wantChanged || (wantChanged > 0 && changed[len(changed)-1] != u.ID) {
				t.Errorf("OnChange calls = %v, want %d calls for user %d", changed, wantChanged, u.ID)
			}
		})
	}
}

func TestChangePassword(t *testing.T) {
	e := newServiceEnv(t, cheap)
	ctx := context.Background()
	u := e.register(t, "johndoe")
	old := e.login(t, "johndoe", "secretpassword")
	if _, err := e.svc.ChangePassword(ctx, u.ID, "wrong-current", "new-password-1"); !errors.Is(err, users.ErrInvalidCredentials) {
		t.Errorf("ChangePassword(wrong current) error = %v, want ErrInvalidCredentials", err)
	}
	_, err := e.svc.ChangePassword(ctx, u.ID, "secretpassword", "short")
	assertInvalidField(t, err, "new_password")
	if _, err := e.svc.ChangePassword(ctx, 987654, "secretpassword", "new-password-1"); !errors.Is(err, users.ErrNotFound) {
		t.Errorf("ChangePassword(missing user) error = %v, want ErrNotFound", err)
	}
	if !e.alive(t, old.AccessToken) || len(e.Changed()) != 0 {
		t.Fatalf("after failed changes: token alive %v, OnChange %v; want alive, none", e.alive(t, old.AccessToken), e.Changed())
	}

	c, err := e.svc.ChangePassword(ctx, u.ID, "secretpassword", "new-password-1")
	if err != nil || c.Epoch != 1 || c.Subject != fmt.Sprint(u.ID) {
		t.Fatalf("ChangePassword = %+v, %v; want user %d at epoch 1", c, err, u.ID)
	}
	if _, err := e.svc.Authenticate(ctx, "johndoe", "secretpassword"); !errors.Is(err, users.ErrInvalidCredentials) {
		t.Errorf("Authenticate(old password) error = %v, want ErrInvalidCredentials", err)
	}
	if e.alive(t, old.AccessToken) {
		t.Error("a token issued before the password change still authenticates")
	}
	if _, err := e.authn.Refresh(ctx, old.RefreshToken); err == nil {
		t.Error("a refresh token issued before the password change still refreshes")
	}
	if changed := e.Changed(); !slices.Equal(changed, []int64{u.ID}) {
		t.Errorf("OnChange calls = %v, want [%d]", changed, u.ID)
	}
	fresh := e.login(t, "johndoe", "new-password-1")
	if !e.alive(t, fresh.AccessToken) {
		t.Fatal("a token of the new password does not authenticate")
	}

	// A failing revocation store fails the change before the new hash is
	// stored: the old password still works, never the new one beside live
	// old tokens.
	e.revocations.fail.Store(true)
	_, err = e.svc.ChangePassword(ctx, u.ID, "new-password-1", "new-password-2")
	if !errors.Is(err, auth.ErrUnavailable) || !errors.Is(err, errRevocationsDown) {
		t.Errorf("ChangePassword with a failing revocation store: %v, want auth.ErrUnavailable", err)
	}
	if _, err := e.svc.Authenticate(ctx, "johndoe", "new-password-2"); !errors.Is(err, users.ErrInvalidCredentials) {
		t.Errorf("the new password works after a failed change (%v): old tokens may still be alive", err)
	}
	if _, err := e.svc.Authenticate(ctx, "johndoe", "new-password-1"); err != nil {
		t.Errorf("the old password stopped working after a failed change: %v", err)
	}
	e.revocations.fail.Store(false)
	again := e.login(t, "johndoe", "new-password-1")
	if !e.alive(t, again.AccessToken) {
		t.Error("after a failed change, a new login does not work")
	}
}

// A login that read the user before a password change and verified the old
// password after it gets no session (deterministic: the change runs inside
// the store's lookup).
func TestLoginRacingPasswordChange(t *testing.T) {
	e := newServiceEnv(t, cheap)
	ctx := context.Background()
	u := e.register(t, "johndoe")
	racing := &racingStore{Store: e.store}
	svc := users.NewService(racing, users.Options{Hasher: e.hasher, Guard: e.authn})
	racing.afterLookup = func() {
		racing.afterLookup = nil
		if _, err := svc.ChangePassword(ctx, u.ID, "secretpassword", "new-password-1"); err != nil {
			t.Errorf("the racing ChangePassword: %v", err)
		}
	}
	c, err := svc.CheckCredentials(ctx, "johndoe", "secretpassword")
	if err != nil {
		t.Fatalf("CheckCredentials (verified the old hash it read): %v", err)
	}
	if pair, err := e.authn.StartSession(ctx, c, auth.ClientInfo{}); !errors.Is(err, auth.ErrStaleCredentials) {
		t.Fatalf("StartSession after the racing change = %v, %v; want ErrStaleCredentials", pair, err)
	}
}

// racingStore runs afterLookup right after GetByLogin returns.
type racingStore struct {
	users.Store
	afterLookup func()
}

func (r *racingStore) GetByLogin(ctx context.Context, login string) (*users.User, error) {
	u, err := r.Store.GetByLogin(ctx, login)
	if r.afterLookup != nil {
		r.afterLookup()
	}
	return u, err
}

func TestDelete(t *testing.T) {
	e := newServiceEnv(t, cheap)
	ctx := context.Background()
	u := e.register(t, "johndoe")
	keep := e.register(t, "janedoe")
	session := e.login(t, "johndoe", "secretpassword")
	subject := fmt.Sprint(u.ID)
	if ok, err := e.svc.Exists(ctx, subject); !ok || err != nil {
		t.Fatalf("Exists before delete = %v, %v; want true", ok, err)
	}
	e.revocations.fail.Store(true)
	if err := e.svc.Delete(ctx, u.ID); !errors.Is(err, auth.ErrUnavailable) {
		t.Fatalf("Delete with a failing revocation store: %v, want auth.ErrUnavailable", err)
	}
	if _, err := e.svc.Get(ctx, u.ID); err != nil {
		t.Fatalf("a failed Delete deleted the user: %v", err)
	}
	e.revocations.fail.Store(false)
	if err := e.svc.Delete(ctx, u.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := e.svc.Get(ctx, u.ID); !errors.Is(err, users.ErrNotFound) {
		t.Errorf("Get(deleted) error = %v, want ErrNotFound", err)
	}
	if ok, err := e.svc.Exists(ctx, subject); ok || err != nil {
		t.Errorf("Exists(deleted) = %v, %v; want false, nil", ok, err)
	}
	if e.alive(t, session.AccessToken) {
		t.Error("a deleted user's token still authenticates")
	}
	if _, err := e.svc.Authenticate(ctx, "johndoe", "secretpassword"); !errors.Is(err, users.ErrInvalidCredentials) {
		t.Errorf("Authenticate(deleted) error = %v, want ErrInvalidCredentials", err)
	}
	if err := e.svc.Delete(ctx, u.ID); !errors.Is(err, users.ErrNotFound) {
		t.Errorf("Delete(again) error = %v, want ErrNotFound", err)
	}
	if changed := e.Changed(); !slices.Contains(changed, u.ID) || slices.Contains(changed, keep.ID) {
		t.Errorf("OnChange calls = %v, want user %d and never %d", changed, u.ID, keep.ID)
	}
	if _, err := e.svc.Get(ctx, keep.ID); err != nil {
		t.Errorf("Get(other user): %v", err)
	}
}

func TestCheckCredentialsAndExists(t *testing.T) {
	e := newServiceEnv(t, cheap)
	ctx := context.Background()
	u := e.register(t, "johndoe")
	c, err := e.svc.CheckCredentials(ctx, "JOHNDOE", "secretpassword")
	if err != nil || c.Subject != fmt.Sprint(u.ID) || c.Epoch != 0 {
		t.Fatalf("CheckCredentials = %+v, %v; want subject %d at epoch 0", c, err, u.ID)
	}
	for _, login := range []string{"johndoe", "nobody"} {
		c, err := e.svc.CheckCredentials(ctx, login, "nope-nope")
		if !errors.Is(err, users.ErrInvalidCredentials) || !errors.Is(err, auth.ErrInvalidCredentials) || c.Subject != "" {
			t.Errorf("CheckCredentials(%q, wrong) = %+v, %v; want none, users and auth ErrInvalidCredentials", login, c, err)
		}
	}
	subject := c.Subject
	for _, tt := range []struct {
		subject string
		want    bool
	}{
		{subject, true}, {"987654", false}, {"0", false}, {"-1", false}, {"", false},
		{"abc", false}, {"1e3", false}, {" " + subject, false}, {"99999999999999999999", false},
	} {
		got, err := e.svc.Exists(ctx, tt.subject)
		if err != nil || got != tt.want {
			t.Errorf("Exists(%q) = %v, %v; want %v, nil", tt.subject, got, err, tt.want)
		}
	}
}

func TestServiceWithoutOptions(t *testing.T) {
	svc := users.NewService(newTestStore(t), users.Options{Hasher: users.NewHasher(users.HasherOptions{Params: cheap})})
	ctx := context.Background()
	u, err := svc.Register(ctx, validInput("plain"))
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	if _, err := svc.UpdateProfile(ctx, u.ID, users.ProfileUpdate{LastName: ptr("X")}); err != nil {
		t.Errorf("UpdateProfile without OnChange: %v", err)
	}
	if _, err := svc.ChangePassword(ctx, u.ID, "secretpassword", "another-password"); err != nil {
		t.Errorf("ChangePassword without Guard: %v", err)
	}
	if err := svc.Delete(ctx, u.ID); err != nil {
		t.Errorf("Delete without Guard: %v", err)
	}
}

func TestSQLSessions(t *testing.T) {
	authtest.RunSessionStoreTests(t, func(t *testing.T) authtest.SessionHarness {
		db := testenv.DB(t)
		if err := users.Migrate(context.Background(), db); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
		store := users.NewStore(db)
		return authtest.SessionHarness{
			Store: users.NewSessions(db),
			NewSubject: func(t *testing.T) string {
				name := "u" + authtest.NewID()[:12]
				u, err := store.Create(context.Background(), users.User{Username: name, Email: name + "@example.com",
					FirstName: "A", LastName: "B", PasswordHash: "x"})
				if err != nil {
					t.Fatal(err)
				}
				return fmt.Sprint(u.ID)
			},
		}
	})
}
