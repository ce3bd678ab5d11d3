package users_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/jmoiron/sqlx"

	"github.com/groundwork-go/groundwork/internal/database"
	"github.com/groundwork-go/groundwork/users"
)

// exampleDB opens a migrated SQLite database in a temporary directory.
func exampleDB(ctx context.Context) (*sqlx.DB, func()) {
	dir, err := os.MkdirTemp("", "users-example")
	if err != nil {
		log.Fatal(err)
	}
	db, err := database.Open(ctx, "sqlite:"+filepath.Join(dir, "example.db"))
	if err != nil {
		log.Fatal(err)
	}
	if err := users.Migrate(ctx, db); err != nil {
		log.Fatal(err)
	}
	return db, func() { db.Close(); os.RemoveAll(dir) }
}

func ExampleNewHasher() {
	ctx := context.Background()
	h := users.NewHasher(users.HasherOptions{}) // OWASP parameters
	encoded, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(encoded[:30])

	// A PHC hash with other parameters, as argon2-cffi or passlib write
	// them, verifies; its parameters are weaker, so it should be replaced.
	legacy := "$argon2id$v=19$m=4096,t=1,p=1$ID9x9UvXJNS4m2kWrvUgoQ$0gnJ2463UT7AGgF0AeI1kx3QmmSCugY3Ra2FWC9T+yg"
	match, rehash, err := h.Verify(ctx, legacy, "weak-params-pass")
	fmt.Println(match, rehash, err)
	// Output:
	// $argon2id$v=19$m=19456,t=2,p=1
	// true true <nil>
}

func ExampleNewStore() {
	ctx := context.Background()
	db, cleanup := exampleDB(ctx) // database.Open + users.Migrate
	defer cleanup()

	store := users.NewStore(db)
	u, err := store.Create(ctx, users.User{Username: "JohnDoe", Email: " John@Example.com ",
		FirstName: "John", LastName: "Doe", PasswordHash: "$argon2id$..."})
	if err != nil {
		log.Fatal(err)
	}
	found, err := store.GetByLogin(ctx, "johndoe")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(found.ID == u.ID, found.Username, found.Email)

	_, err = store.Create(ctx, users.User{Username: "JOHNDOE", Email: "other@example.com"})
	fmt.Println(errors.Is(err, users.ErrUsernameTaken), errors.Is(err, users.ErrAlreadyExists))
	// Output:
	// true JohnDoe john@example.com
	// true true
}

func ExampleNewService() {
	ctx := context.Background()
	db, cleanup := exampleDB(ctx)
	defer cleanup()

	svc := users.NewService(users.NewStore(db), users.Options{
		// Guard: authenticator, // ends sessions on password change and deletion
		OnChange: func(ctx context.Context, id int64) { fmt.Println("user changed:", id) },
	})
	u, err := svc.Register(ctx, users.RegisterInput{Username: "johndoe", Email: "john@example.com",
		Password: "secretpassword", FirstName: "John", LastName: "Doe"})
	if err != nil {
		log.Fatal(err)
	}
	c, err := svc.CheckCredentials(ctx, "john@example.com", "secretpassword")
	fmt.Println(c.Subject, c.Epoch, err)

	_, err = svc.Authenticate(ctx, "johndoe", "wrong password")
	fmt.Println(errors.Is(err, users.ErrInvalidCredentials))

	last := "Smith"
	u, err = svc.UpdateProfile(ctx, u.ID, users.ProfileUpdate{LastName: &last})
	fmt.Println(u.LastName, err)
	// Output:
	// 1 0 <nil>
	// true
	// user changed: 1
	// Smith <nil>
}
