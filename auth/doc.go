// Package auth authenticates net/http requests with JWT access tokens that
// belong to sessions, and runs the sessions' life cycle: login, refresh,
// logout, ending sessions, and credential changes.
//
// Tokens are signed with golang-jwt/jwt/v5: HS256 by default, or RS256,
// ES256 or EdDSA keys, each pinned to its "kid" so keys rotate by listing
// the old ones and no token can pick its own algorithm. The signature is
// checked before the claims are decoded, and a token longer than
// TokenOptions.MaxLength is refused unread. Claims are sub, jti, typ
// (access or refresh), sid (the session), cep (the credential epoch), gen
// (a refresh token's generation), iat, nbf, exp and optional iss/aud; a
// refresh token is never accepted as an access token, nor the reverse.
//
// # Sessions
//
// Every login or signup starts a Session (StartSession) recorded in a
// SessionStore, next to the users: users.SQLSessions on PostgreSQL or
// SQLite, or MemorySessions for tests. Both tokens carry the session's id.
//
//   - Refresh rotates the tokens within the session with one conditional
//     write: of concurrent refreshes with one token exactly one succeeds,
//     and presenting a refresh token that was already used ends the whole
//     session (reuse means theft; RFC 9700). Clients refresh serially.
//   - Logout ends the session, so its access and refresh tokens die.
//   - A credential change (ChangeCredentials: a password change, an account
//     deletion) raises the user's credential epoch and ends every session
//     before the new credentials are written. The epoch is read with the
//     password hash, before the password is checked, and a session is
//     recorded only if it is still current; so a login racing a password
//     change cannot outlive it, whatever the clocks say.
//
// The per-request check asks a RevocationStore whether the token's session
// has ended or its epoch is stale: MemoryRevocations for one process, or
// RedisRevocations (Redis 6.0 or newer) for many, which answers repeated
// checks from process memory through rueidis client-side caching, with no
// round trip, and is invalidated by Redis when any process ends a session.
// RestoreRevocations refills it from the SessionStore at start, so the
// embedded default loses nothing on restart and a flushed Redis is
// repaired. A failing check answers 503 unless Options.FailOpen is set;
// every write is bounded by Options.WriteTimeout and answers 503 when it
// runs out.
//
// A typical assembly:
//
//	key, _ := auth.HS256Key("primary", []byte(os.Getenv("SECRET_KEY")))
//	tokens, _ := auth.NewTokens(key, auth.TokenOptions{})
//	a, err := auth.NewAuthenticator(tokens, users.NewSessions(db),
//		auth.NewRedisRevocations(redisClient, auth.RedisRevocationOptions{}),
//		auth.Options{Subjects: userService})
//	a.RestoreRevocations(ctx)
//	mux.Handle("POST /login", a.LoginHandler(userService))
//	mux.Handle("POST /refresh", a.RefreshHandler())
//	mux.Handle("POST /logout", a.Middleware(a.LogoutHandler()))
//	mux.Handle("GET /sessions", a.Middleware(a.ListSessionsHandler()))
//	mux.Handle("GET /me", a.Middleware(meHandler))
//
// Handlers read the caller with FromContext or SubjectFromRequest. When
// Options.Subjects is a SubjectLoader, the record its check loaded (the
// user's profile, say) is in Identity.Record, so a handler need not look the
// user up again.
package auth
