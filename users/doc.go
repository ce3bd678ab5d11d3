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
// Usernames are stored NFKC-normalised and are 3–50 letters or digits of
// any script, '_', '.' or '-', starting with a letter or digit: no
// whitespace, other punctuation (so no "@": a login containing "@" is an
// email), symbols, control or invisible format characters. They are unique
// case-insensitively (folded in Go, so PostgreSQL and SQLite agree). First
// and last names are 1–50 printable characters after trimming. Emails are
// stored trimmed and lower-cased. Every text field is checked before the
// database sees it, so both databases accept and refuse the same values;
// a violation is ErrInvalidInput carrying an *httpx.ValidationError (422).
//
// The package links no database driver: it classifies their errors by
// SQLSTATE code and SQLite result code. A unique-constraint violation
// becomes ErrUsernameTaken or ErrEmailTaken, both of which match
// ErrAlreadyExists; a value the database refuses as malformed becomes
// ErrInvalidData, which matches ErrInvalidInput.
//
// Passwords are hashed with argon2id at the OWASP-recommended m=19456 KiB,
// t=2, p=1 (configurable with Params). Verification accepts any argon2id PHC
// string, such as those argon2-cffi or passlib write
// ($argon2id$v=19$m=65536,t=3,p=4$salt$hash), and Authenticate re-hashes on
// a successful login when the stored parameters are weaker than the current
// ones. A login for an unknown user does the same hashing work as one for a
// known user and fails with the same ErrInvalidCredentials. Hashing runs on
// a bounded number of slots, and a caller waits for one at most
// HasherOptions.MaxWait before failing with ErrBusy (503 with Retry-After),
// so a flood of logins cannot stall everyone behind an unbounded queue.
package users
