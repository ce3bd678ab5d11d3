// Package userstest is a conformance suite for users.Store implementations,
// in the manner of testing/fstest: every backend's test calls
// RunStoreTests with a constructor of fresh, empty stores.
//
//	func TestSQLStore(t *testing.T) {
//		userstest.RunStoreTests(t, func(t *testing.T) users.Store {
//			db := testenv.DB(t)
//			if err := users.Migrate(context.Background(), db); err != nil {
//				t.Fatal(err)
//			}
//			return users.NewStore(db)
//		})
//	}
package userstest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/users"
)

// RunStoreTests checks that the stores newStore returns behave as the
// users.Store contract says. newStore must return a new, empty store each
// call; it may register cleanups on t.
func RunStoreTests(t *testing.T, newStore func(t *testing.T) users.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s users.Store)
	}{
		{"CreateAndGet", testCreateAndGet},
		{"GetMissing", testGetMissing},
		{"GetByLogin", testGetByLogin},
		{"UniqueUsername", testUniqueUsername},
		{"UniqueEmail", testUniqueEmail},
		{"Update", testUpdate},
		{"UpdateEmailTaken", testUpdateEmailTaken},
		{"UpdatePasswordHash", testUpdatePasswordHash},
		{"Delete", testDelete},
		{"ConcurrentCreateSameUsername", testConcurrentCreateSameUsername},
		{"ConcurrentCreateSameEmail", testConcurrentCreateSameEmail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, newStore(t))
		})
	}
}

// newUser is a valid user whose fields all derive from name.
func newUser(name string) users.User {
	return users.User{
		Username:     name,
		Email:        strings.ToLower(name) + "@example.com",
		FirstName:    "First " + name,
		LastName:     "Last " + name,
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$" + name,
	}
}

func create(t *testing.T, s users.Store, u users.User) *users.User {
	t.Helper()
	got, err := s.Create(context.Background(), u)
	if err != nil {
		t.Fatalf("Create(%q): %v", u.Username, err)
	}
	return got
}

func testCreateAndGet(t *testing.T, s users.Store) {
	ctx := context.Background()
	in := newUser("Alice")
	in.Email = "  Alice.Smith@Example.COM "
	before := time.Now().Add(-time.Second)
	created := create(t, s, in)
	if created.ID <= 0 {
		t.Fatalf("created ID = %d, want > 0", created.ID)
	}
	if created.Email != "alice.smith@example.com" {
		t.Errorf("created Email = %q, want %q", created.Email, "alice.smith@example.com")
	}
	if created.CreatedAt.Before(before) || !created.UpdatedAt.Equal(created.CreatedAt) {
		t.Errorf("timestamps = %v / %v, want both equal and after %v", created.CreatedAt, created.UpdatedAt, before)
	}
	got, err := s.GetByID(ctx, created.ID)
	if err != nil {
		t.Fatalf("GetByID(%d): %v", created.ID, err)
	}
	assertSameUser(t, got, created)
	if got.Username != "Alice" || got.FirstName != in.FirstName || got.LastName != in.LastName || got.PasswordHash != in.PasswordHash {
		t.Errorf("GetByID = %+v, want the fields of %+v", got, in)
	}
	second := create(t, s, newUser("bob"))
	if second.ID == created.ID {
		t.Errorf("second user ID = %d, same as the first", second.ID)
	}
}

// assertSameUser compares users field by field, timestamps with Equal.
func assertSameUser(t *testing.T, got, want *users.User) {
	t.Helper()
	if got.ID != want.ID || got.Username != want.Username || got.Email != want.Email ||
		got.FirstName != want.FirstName || got.LastName != want.LastName || got.PasswordHash != want.PasswordHash {
		t.Errorf("got user %+v, want %+v", got, want)
	}
	if !got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Errorf("got timestamps %v / %v, want %v / %v", got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt)
	}
	if got.CreatedAt.Location() != time.UTC || got.UpdatedAt.Location() != time.UTC {
		t.Errorf("got timestamp locations %v / %v, want UTC", got.CreatedAt.Location(), got.UpdatedAt.Location())
	}
}

func testGetMissing(t *testing.T, s users.Store) {
	ctx := context.Background()
	create(t, s, newUser("carol"))
	if _, err := s.GetByID(ctx, 987654); !errors.Is(err, users.ErrNotFound) {
		t.Errorf("GetByID(missing) error = %v, want ErrNotFound", err)
	}
	for _, login := range []string{"nobody", "nobody@example.com", "", "carol@example.org"} {
		if _, err := s.GetByLogin(ctx, login); !errors.Is(err, users.ErrNotFound) {
			t.Errorf("GetByLogin(%q) error = %v, want ErrNotFound", login, err)
		}
	}
}

func testGetByLogin(t *testing.T, s users.Store) {
	ctx := context.Background()
	want := create(t, s, newUser("DaveSmith"))
	create(t, s, newUser("other"))
	for _, login := range []string{"DaveSmith", "davesmith", "DAVESMITH", " davesmith ",
		"davesmith@example.com", "DaveSmith@Example.Com", " DAVESMITH@EXAMPLE.COM"} {
		got, err := s.GetByLogin(ctx, login)
		if err != nil {
			t.Errorf("GetByLogin(%q): %v", login, err)
			continue
		}
		assertSameUser(t, got, want)
	}
}

func testUniqueUsername(t *testing.T, s users.Store) {
	create(t, s, newUser("erin"))
	create(t, s, newUser("Jos\u00e9")) // composed é
	for _, name := range []string{"erin", "ERIN", "Erin", " erin ", "Jose\u0301", "JOS\u00c9", "\uff25rin"} {
		u := newUser("x" + strings.TrimSpace(name))
		u.Username = name
		_, err := s.Create(context.Background(), u)
		if !errors.Is(err, users.ErrUsernameTaken) || !errors.Is(err, users.ErrAlreadyExists) {
			t.Errorf("Create(username %q) error = %v, want ErrUsernameTaken and ErrAlreadyExists", name, err)
		}
	}
}

func testUniqueEmail(t *testing.T, s users.Store) {
	create(t, s, newUser("frank"))
	for i, email := range []string{"frank@example.com", "FRANK@example.COM", " frank@example.com "} {
		u := newUser(fmt.Sprintf("frank%d", i))
		u.Email = email
		_, err := s.Create(context.Background(), u)
		if !errors.Is(err, users.ErrEmailTaken) || !errors.Is(err, users.ErrAlreadyExists) {
			t.Errorf("Create(email %q) error = %v, want ErrEmailTaken and ErrAlreadyExists", email, err)
		}
	}
}

func ptr(s string) *string { return &s }

func testUpdate(t *testing.T, s users.Store) {
	ctx := context.Background()
	orig := create(t, s, newUser("grace"))
	tests := []struct {
		name   string
		update users.ProfileUpdate
		check  func(u *users.User) bool
	}{
		{"first name only", users.ProfileUpdate{FirstName: ptr("Gracie")}, func(u *users.User) bool {
			return u.FirstName == "Gracie" && u.LastName == orig.LastName && u.Email == orig.Email
		}},
		{"last name only", users.ProfileUpdate{LastName: ptr("Hopper")}, func(u *users.User) bool {
			return u.FirstName == "Gracie" && u.LastName == "Hopper" && u.Email == orig.Email
		}},
		{"email normalised", users.ProfileUpdate{Email: ptr(" Grace@Navy.MIL ")}, func(u *users.User) bool {
			return u.FirstName == "Gracie" && u.LastName == "Hopper" && u.Email == "grace@navy.mil"
		}},
		{"own email again", users.ProfileUpdate{Email: ptr("grace@navy.mil")}, func(u *users.User) bool {
			return u.Email == "grace@navy.mil"
		}},
	}
	last := orig
	for _, tt := range tests {
		got, err := s.Update(ctx, orig.ID, tt.update)
		if err != nil {
			t.Fatalf("%s: Update: %v", tt.name, err)
		}
		if !tt.check(got) {
			t.Errorf("%s: got %+v", tt.name, got)
		}
		if !got.CreatedAt.Equal(orig.CreatedAt) || got.UpdatedAt.Before(last.UpdatedAt) {
			t.Errorf("%s: got timestamps %v / %v, want created %v and updated not before %v",
				tt.name, got.CreatedAt, got.UpdatedAt, orig.CreatedAt, last.UpdatedAt)
		}
		if got.Username != orig.Username || got.PasswordHash != orig.PasswordHash {
			t.Errorf("%s: username/hash changed to %q/%q", tt.name, got.Username, got.PasswordHash)
		}
		stored, err := s.GetByID(ctx, orig.ID)
		if err != nil {
			t.Fatalf("%s: GetByID: %v", tt.name, err)
		}
		assertSameUser(t, stored, got)
		last = got
	}
	if _, err := s.GetByLogin(ctx, "GRACE@navy.mil"); err != nil {
		t.Errorf("GetByLogin(new email): %v", err)
	}
	if _, err := s.Update(ctx, 987654, users.ProfileUpdate{FirstName: ptr("x")}); !errors.Is(err, users.ErrNotFound) {
		t.Errorf("Update(missing) error = %v, want ErrNotFound", err)
	}
}

func testUpdateEmailTaken(t *testing.T, s users.Store) {
	ctx := context.Background()
	create(t, s, newUser("heidi"))
	ivan := create(t, s, newUser("ivan"))
	_, err := s.Update(ctx, ivan.ID, users.ProfileUpdate{FirstName: ptr("Changed"), Email: ptr("HEIDI@example.com")})
	if !errors.Is(err, users.ErrEmailTaken) {
		t.Fatalf("Update(taken email) error = %v, want ErrEmailTaken", err)
	}
	got, err := s.GetByID(ctx, ivan.ID)
	if err != nil {
		t.Fatalf("GetByID: %v", err)
	}
	assertSameUser(t, got, ivan) // the failed update changed nothing
}

func testUpdatePasswordHash(t *testing.T, s users.Store) {
	ctx := context.Background()
	u := create(t, s, newUser("judy"))
	if err := s.UpdatePasswordHash(ctx, u.ID, u.PasswordHash, "new-hash"); err != nil {
		t.Fatalf("UpdatePasswordHash: %v", err)
	}
	got, err := s.GetByID(ctx, u.ID)
	if err != nil {
		t.Fatalf("GetByID: %v", err)
	}
	if got.PasswordHash != "new-hash" {
		t.Errorf("PasswordHash = %q, want %q", got.PasswordHash, "new-hash")
	}
	// The old hash is stale now: a concurrent writer must not win.
	if err := s.UpdatePasswordHash(ctx, u.ID, u.PasswordHash, "stale"); !errors.Is(err, users.ErrConflict) {
		t.Errorf("UpdatePasswordHash(stale current) error = %v, want ErrConflict", err)
	}
	if err := s.UpdatePasswordHash(ctx, 987654, "a", "b"); !errors.Is(err, users.ErrNotFound) {
		t.Errorf("UpdatePasswordHash(missing) error = %v, want ErrNotFound", err)
	}
}

func testDelete(t *testing.T, s users.Store) {
	ctx := context.Background()
	u := create(t, s, newUser("mallory"))
	keep := create(t, s, newUser("keep"))
	if err := s.Delete(ctx, u.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := s.GetByID(ctx, u.ID); !errors.Is(err, users.ErrNotFound) {
		t.Errorf("GetByID(deleted) error = %v, want ErrNotFound", err)
	}
	if _, err := s.GetByLogin(ctx, "mallory"); !errors.Is(err, users.ErrNotFound) {
		t.Errorf("GetByLogin(deleted) error = %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, u.ID); !errors.Is(err, users.ErrNotFound) {
		t.Errorf("Delete(again) error = %v, want ErrNotFound", err)
	}
	if _, err := s.GetByID(ctx, keep.ID); err != nil {
		t.Errorf("GetByID(other user): %v", err)
	}
	// The username and email are free again, but the id is not reused:
	// tokens name users by id.
	again := create(t, s, newUser("Mallory"))
	if again.ID == u.ID || again.ID == keep.ID {
		t.Errorf("re-created user ID = %d, want a new id (deleted %d, kept %d)", again.ID, u.ID, keep.ID)
	}
	if err := s.Delete(ctx, again.ID); err != nil {
		t.Fatalf("Delete(newest): %v", err)
	}
	newest := create(t, s, newUser("trent"))
	if newest.ID == again.ID {
		t.Errorf("ID %d of a deleted newest user was reused", newest.ID)
	}
}

// raceCreates runs n concurrent Creates of mk(i) and returns the number that
// succeeded and the errors of the rest.
func raceCreates(t *testing.T, s users.Store, n int, mk func(i int) users.User) (int, []error) {
	t.Helper()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		ok    int
		errs  []error
		start = make(chan struct{})
	)
	for i := range n {
		wg.Go(func() {
			<-start
			_, err := s.Create(context.Background(), mk(i))
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				ok++
			} else {
				errs = append(errs, err)
			}
		})
	}
	close(start)
	wg.Wait()
	return ok, errs
}

// assertOneWinner checks that exactly one create succeeded and every other
// one failed with want.
func assertOneWinner(t *testing.T, ok int, errs []error, want error) {
	t.Helper()
	if ok != 1 {
		t.Errorf("successful creates = %d, want 1", ok)
	}
	for _, err := range errs {
		if !errors.Is(err, want) {
			t.Errorf("losing create error = %v, want %v", err, want)
		}
	}
}

func testConcurrentCreateSameUsername(t *testing.T, s users.Store) {
	variants := []string{"oscar", "Oscar", "OSCAR", "oScAr", "oscaR"}
	ok, errs := raceCreates(t, s, 30, func(i int) users.User {
		u := newUser(fmt.Sprintf("oscar%d", i))
		u.Username = variants[i%len(variants)]
		return u
	})
	assertOneWinner(t, ok, errs, users.ErrUsernameTaken)
	if _, err := s.GetByLogin(context.Background(), "OSCAR"); err != nil {
		t.Errorf("GetByLogin(winner): %v", err)
	}
}

func testConcurrentCreateSameEmail(t *testing.T, s users.Store) {
	ok, errs := raceCreates(t, s, 30, func(i int) users.User {
		u := newUser(fmt.Sprintf("peggy%d", i))
		u.Email = []string{"peggy@example.com", "Peggy@Example.com"}[i%2]
		return u
	})
	assertOneWinner(t, ok, errs, users.ErrEmailTaken)
}
