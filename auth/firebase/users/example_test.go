package users_test

import (
	"context"
	"errors"
	"log"
	"os"

	"github.com/groundwork-go/groundwork/auth/firebase"
	"github.com/groundwork-go/groundwork/auth/firebase/users"
)

func ExampleNew() {
	ctx := context.Background()
	key, err := os.ReadFile(os.Getenv("FIREBASE_CREDENTIALS_FILE"))
	if err != nil {
		log.Fatal(err)
	}
	c, err := users.New(ctx, "my-project", users.Config{CredentialsJSON: key})
	if err != nil {
		log.Fatal(err)
	}
	u, err := c.CreateUser(ctx, users.UserToCreate{Email: "ada@example.com", Password: "correct horse battery"})
	switch {
	case errors.Is(err, users.ErrEmailExists):
		log.Print("already registered")
	case err != nil:
		log.Fatal(err)
	default:
		log.Printf("created %s", u.UID)
	}
}

// Rejecting ID tokens of users whose sessions were revoked: the Client is the
// Verifier's RevocationChecker.
func ExampleClient_RevokeRefreshTokens() {
	ctx := context.Background()
	c, err := users.New(ctx, "my-project", users.Config{})
	if err != nil {
		log.Fatal(err)
	}
	v, err := firebase.NewVerifier("my-project", firebase.Config{Revocation: c})
	if err != nil {
		log.Fatal(err)
	}
	if err := c.RevokeRefreshTokens(ctx, "uid-123"); err != nil {
		log.Fatal(err)
	}
	_, err = v.VerifyIDToken(ctx, "eyJhbGciOiJSUzI1NiIsImtpZCI6...")
	log.Print(errors.Is(err, firebase.ErrTokenRevoked))
}

func ExampleClient_EmailActionLink() {
	ctx := context.Background()
	c, err := users.New(ctx, "my-project", users.Config{})
	if err != nil {
		log.Fatal(err)
	}
	link, err := c.EmailActionLink(ctx, users.ActionPasswordReset, "ada@example.com",
		&users.ActionCodeSettings{URL: "https://app.example.com/login"})
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("send this link with your own template: %s", link)
}
