// Package users is the user account core: the User model of the API
// document, argon2id password hashing in the PHC string format, a Store on
// PostgreSQL or SQLite (sqlx) with embedded migrations, and a Service that
// registers, authenticates and manages accounts.
//
//	db, err := database.Open(ctx, os.Getenv("DATABASE_URL"))
//	if err != nil { ... }
//	if err := users.Migrate(ctx, db); err != nil { ... }
//	svc := users.NewService(users.NewStore(db), users.Options{Revoker: revoker})
//	u, err := svc.Register(ctx, users.RegisterInput{
//		Username: "johndoe", Email: "john@example.com", Password: "secretpassword",
//		FirstName: "John", LastName: "Doe",
//	})
//	switch {
//	case errors.Is(err, users.ErrAlreadyExists): // 400 "User already exists"
//	case errors.Is(err, users.ErrInvalidInput): // 422
//	}
//	u, err = svc.Authenticate(ctx, "JohnDoe", "secretpassword") // or the email
//
// Usernames are unique case-insensitively (folded in Go, so PostgreSQL and
// SQLite agree), and may not contain "@", so a login containing "@" is an
// email. Emails are stored trimmed and lower-cased. A unique-constraint
// violation from either driver becomes ErrUsernameTaken or ErrEmailTaken,
// both of which match ErrAlreadyExists.
//
// Passwords are hashed with argon2id at the OWASP-recommended m=19456 KiB,
// t=2, p=1 (configurable with Params). Verification accepts any argon2id PHC
// string, such as those argon2-cffi or passlib write
// ($argon2id$v=19$m=65536,t=3,p=4$salt$hash), and Authenticate re-hashes on
// a successful login when the stored parameters are weaker than the current
// ones. A login for an unknown user does the same hashing work as one for a
// known user and fails with the same ErrInvalidCredentials.
package users
