// Package auth issues and verifies revocable JWT access and refresh tokens
// and authenticates net/http requests with them.
//
// Tokens are signed with golang-jwt/jwt/v5: HS256 by default, or RS256,
// ES256 or EdDSA keys, each pinned to its "kid" so keys rotate by listing
// the old ones and no token can pick its own algorithm. Claims are sub,
// jti (128 random bits), typ (access or refresh), iat (microseconds), nbf,
// exp and optional iss/aud; a refresh token is never accepted as an access
// token, nor the reverse.
//
// Revocation (the "blacklist") is a RevocationStore: MemoryRevocations for
// one process, RedisRevocations for many. The Redis store answers repeated
// checks from process memory through rueidis client-side caching, with no
// round trip, and Redis invalidates that memory when any process revokes
// the token or its user; another process sees a revocation within about a
// tenth of a millisecond on loopback (TestRevocationPropagation measures
// it). A revocation store failure fails closed (503) unless
// Options.FailOpen is set.
//
// A typical assembly:
//
//	key, _ := auth.HS256Key("primary", []byte(os.Getenv("SECRET_KEY")))
//	tokens, _ := auth.NewTokens(key, auth.TokenOptions{})
//	a := auth.NewAuthenticator(tokens, auth.NewRedisRevocations(redisClient, auth.RedisRevocationOptions{}),
//		auth.Options{Subjects: userService})
//	mux.Handle("POST /api/v1/auth/login", a.LoginHandler(userService))
//	mux.Handle("POST /api/v1/auth/refresh", a.RefreshHandler())
//	mux.Handle("POST /api/v1/auth/logout", a.Middleware(a.LogoutHandler()))
//	mux.Handle("GET /api/v1/users/me", a.Middleware(meHandler))
//
// Handlers read the caller with FromContext or SubjectFromRequest. When
// Options.Subjects is a SubjectLoader, the record its check loaded (the
// user's profile, say) is in Identity.Record, so a handler need not look the
// user up again.
package auth
