package users_test

import (
	"context"
	"testing"

	"github.com/groundwork-go/groundwork/users"
)

// BenchmarkHashPassword measures one hash with the default (OWASP)
// parameters, the cost of a signup or password change.
func BenchmarkHashPassword(b *testing.B) {
	h := users.NewHasher(users.HasherOptions{})
	ctx := context.Background()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthenticate measures a login against the test database with the
// default parameters: a success, a wrong password and an unknown user,
// which should all cost about the same.
func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	svc := users.NewService(newTestStore(b), users.Options{})
	if _, err := svc.Register(ctx, validInput("benchuser")); err != nil {
		b.Fatal(err)
	}
	for _, bb := range []struct {
		name, login, password string
		ok                    bool
	}{
		{"success", "benchuser", "secretpassword", true},
		{"wrong_password", "benchuser", "wrongpassword", false},
		{"unknown_user", "nobody", "secretpassword", false},
	} {
		b.Run(bb.name, func(b *testing.B) {
			for b.Loop() {
				_, err := svc.Authenticate(ctx, bb.login, bb.password)
				if (err == nil) != bb.ok {
					b.Fatalf("Authenticate error = %v, want success %v", err, bb.ok)
				}
			}
		})
	}
}
