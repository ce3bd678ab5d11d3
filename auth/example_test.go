package auth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/rueidis"

	"github.com/groundwork-go/groundwork/auth"
)

func ExampleNewTokens() {
	key, err := auth.HS256Key("primary", []byte("an-example-secret-of-at-least-32-bytes"))
	if err != nil {
		panic(err)
	}
	tokens, err := auth.NewTokens(key, auth.TokenOptions{AccessTTL: 15 * time.Minute})
	if err != nil {
		panic(err)
	}
	raw, _, _ := tokens.Issue(auth.AccessToken, &auth.Session{ID: "s1", Subject: "42"})
	claims, err := tokens.Parse(raw, auth.AccessToken)
	fmt.Println(claims.Subject, claims.Type, err)
	_, err = tokens.Parse(raw, auth.RefreshToken)
	fmt.Println(err != nil)
	// Output:
	// 42 access <nil>
	// true
}

func ExampleAuthenticator_Middleware() {
	key, _ := auth.HS256Key("primary", []byte("an-example-secret-of-at-least-32-bytes"))
	tokens, _ := auth.NewTokens(key, auth.TokenOptions{})
	a, _ := auth.NewAuthenticator(tokens, auth.NewMemorySessions(auth.MemorySessionOptions{}),
		auth.NewMemoryRevocations(auth.MemoryRevocationOptions{}), auth.Options{})
	me := a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		subject, _ := auth.SubjectFromRequest(r)
		fmt.Fprint(w, "hello ", subject)
	}))

	// A login: the user store checked the password and read epoch 0.
	pair, _ := a.StartSession(context.Background(), auth.Credentials{Subject: "42", Epoch: 0}, auth.ClientInfo{})
	req := httptest.NewRequest("GET", "/me", nil)
	req.Header.Set("Authorization", "Bearer "+pair.AccessToken)
	rec := httptest.NewRecorder()
	me.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body.String())

	// After a password change the same token is rejected.
	a.ChangeCredentials(context.Background(), "42", func(context.Context) error {
		return nil // store the new password hash here
	})
	rec = httptest.NewRecorder()
	me.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"))
	// Output:
	// 200 hello 42
	// 401 Bearer error="invalid_token"
}

func ExampleNewMemoryRevocations() {
	store := auth.NewMemoryRevocations(auth.MemoryRevocationOptions{})
	ctx := context.Background()
	store.RevokeSession(ctx, "42", "session-id", time.Hour)
	revoked, _ := store.IsRevoked(ctx, "42", "session-id", 0)
	other, _ := store.IsRevoked(ctx, "42", "another-session", 0)
	fmt.Println(revoked, other)
	// Output: true false
}

func ExampleNewRedisRevocations() {
	// An in-process Redis stands in for the application's server here.
	srv, err := miniredis.Run()
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	// The application's one shared client; DisableCache only because
	// miniredis has no client tracking (a real Redis keeps it on).
	client, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{srv.Addr()}, DisableCache: true})
	if err != nil {
		panic(err)
	}
	defer client.Close()

	store := auth.NewRedisRevocations(client, auth.RedisRevocationOptions{Prefix: "myapp:auth:"})
	ctx := context.Background()
	store.RevokeSession(ctx, "42", "session-id", time.Hour)
	revoked, _ := store.IsRevoked(ctx, "42", "session-id", 0)
	fmt.Println(revoked, srv.Exists("myapp:auth:{42}:sid:session-id"))
	// Output: true true
}

func ExampleAuthenticator_LoginHandler() {
	key, _ := auth.HS256Key("primary", []byte("an-example-secret-of-at-least-32-bytes"))
	tokens, _ := auth.NewTokens(key, auth.TokenOptions{})
	a, _ := auth.NewAuthenticator(tokens, auth.NewMemorySessions(auth.MemorySessionOptions{}),
		auth.NewMemoryRevocations(auth.MemoryRevocationOptions{}), auth.Options{})
	login := a.LoginHandler(exampleUsers{})
	req := httptest.NewRequest("POST", "/api/v1/auth/login", strings.NewReader("username=johndoe&password=wrong"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	login.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	// Output: 401
}

type exampleUsers struct{}

func (exampleUsers) CheckCredentials(_ context.Context, login, password string) (auth.Credentials, error) {
	if login == "johndoe" && password == "secretpassword" {
		return auth.Credentials{Subject: "42"}, nil
	}
	return auth.Credentials{}, auth.ErrInvalidCredentials
}
