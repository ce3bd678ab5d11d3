package firebase

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestVerifyIDTokenAccepts(t *testing.T) {
	key := newSigningKey(t, "kid-1")
	ks := newKeyServer(t, key)
	clock := newFakeClock()
	v := newTestVerifier(t, ks, clock, Config{})

	raw := key.sign(t, validClaims(clock.Now()))
	tok, err := v.VerifyIDToken(context.Background(), raw)
	if err != nil {
		t.Fatalf("VerifyIDToken: got error %v, want nil", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"UID", tok.UID, "uid-123"},
		{"Audience", tok.Audience, testProject},
		{"Issuer", tok.Issuer, "https://securetoken.google.com/" + testProject},
		{"Email", tok.Email, "ada@example.com"},
		{"EmailVerified", tok.EmailVerified, true},
		{"SignInProvider", tok.Firebase.SignInProvider, "password"},
		{"IssuedAt", tok.IssuedAt.Unix(), clock.Now().Unix()},
		{"AuthTime", tok.AuthTime.Unix(), clock.Now().Add(-10 * time.Minute).Unix()},
		{"custom claim", tok.Claims["role"], "admin"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}

	sub, claims, err := v.Authenticate(context.Background(), raw)
	if err != nil || sub != "uid-123" || claims["email"] != "ada@example.com" {
		t.Errorf("Authenticate: got (%q, email %v, %v), want (uid-123, ada@example.com, nil)", sub, claims["email"], err)
	}
}

func TestVerifyIDTokenRejects(t *testing.T) {
	key := newSigningKey(t, "kid-1")
	other := newSigningKey(t, "kid-1") // same kid, different private key
	ks := newKeyServer(t, key)
	clock := newFakeClock()
	v := newTestVerifier(t, ks, clock, Config{})
	now := clock.Now()

	with := func(mutate func(jwt.MapClaims)) jwt.MapClaims {
		c := validClaims(now)
		mutate(c)
		return c
	}
	tests := []struct {
		name    string
		raw     func() string
		wantErr error
	}{
		{"empty", func() string { return "" }, ErrInvalidToken},
		{"garbage", func() string { return "not.a.jwt" }, ErrInvalidToken},
		{"alg none", func() string {
			tok := jwt.NewWithClaims(jwt.SigningMethodNone, validClaims(now))
			tok.Header["kid"] = "kid-1"
			raw, _ := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
			return raw
		}, ErrInvalidToken},
		{"alg HS256 keyed with the public key", func() string {
			tok := jwt.NewWithClaims(jwt.SigningMethodHS256, validClaims(now))
			tok.Header["kid"] = "kid-1"
			raw, _ := tok.SignedString([]byte(key.certPEM))
			return raw
		}, ErrInvalidToken},
		{"alg RS512", func() string {
			tok := jwt.NewWithClaims(jwt.SigningMethodRS512, validClaims(now))
			tok.Header["kid"] = "kid-1"
			raw, _ := tok.SignedString(key.private)
			return raw
		}, ErrInvalidToken},
		{"no kid", func() string {
			tok := jwt.NewWithClaims(jwt.SigningMethodRS256, validClaims(now))
			raw, _ := tok.SignedString(key.private)
			return raw
		}, ErrInvalidToken},
		{"unknown kid", func() string {
			return newSigningKey(t, "kid-unknown").sign(t, validClaims(now))
		}, ErrUnknownKey},
		{"signed by another key", func() string { return other.sign(t, validClaims(now)) }, ErrInvalidToken},
		{"tampered payload", func() string {
			parts := strings.Split(key.sign(t, validClaims(now)), ".")
			evil := validClaims(now)
			evil["sub"] = "someone-else"
			payload, _ := jwt.NewWithClaims(jwt.SigningMethodRS256, evil).SigningString()
			parts[1] = strings.Split(payload, ".")[1]
			return strings.Join(parts, ".")
		}, ErrInvalidToken},
		{"tampered signature", func() string {
			parts := strings.Split(key.sign(t, validClaims(now)), ".")
			sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
			sig[0] ^= 0xff
			parts[2] = base64.RawURLEncoding.EncodeToString(sig)
			return strings.Join(parts, ".")
		}, ErrInvalidToken},
		{"wrong aud", func() string {
			return key.sign(t, with(func(c jwt.MapClaims) { c["aud"] = "other-project" }))
		}, ErrInvalidToken},
		{"aud array holding the project and another", func() string {
			return key.sign(t, with(func(c jwt.MapClaims) { c["aud"] = []string{testProject, "other-project"} }))
		}, ErrInvalidToken},
		{"aud array holding only the project", func() string {
			return key.sign(t, with(func(c jwt.MapClaims) { c["aud"] = []string{testProject} }))
		}, ErrInvalidToken},
		{"no aud", func() string { return key.sign(t, with(func(c jwt.MapClaims) { delete(c, "aud") })) }, ErrInvalidToken},
		{"auth_time a string", func() string {
			return key.sign(t, with(func(c jwt.MapClaims) { c["auth_time"] = "yesterday" }))
		}, ErrInvalidToken},
		{"auth_time a numeric string", func() string {
			return key.sign(t, with(func(c jwt.MapClaims) { c["auth_time"] = "1700000000" }))
		}, ErrInvalidToken},
		{"auth_time null", func() string { return key.sign(t, with(func(c jwt.MapClaims) { c["auth_time"] = nil })) }, ErrInvalidToken},
		{"wrong iss", func() string {
			return key.sign(t, with(func(c jwt.MapClaims) { c["iss"] = "https://securetoken.google.com/other-project" }))
		}, ErrInvalidToken},
		{"expired", func() string {
			return key.sign(t, with(func(c jwt.MapClaims) {
				c["iat"] = now.Add(-2 * time.Hour).Unix()
				c["exp"] = now.Add(-2 * time.Minute).Unix()
			}))
		}, ErrTokenExpired},
		{"no exp", func() string { return key.sign(t, with(func(c jwt.MapClaims) { delete(c, "exp") })) }, ErrInvalidToken},
		{"no iat", func() string { return key.sign(t, with(func(c jwt.MapClaims) { delete(c, "iat") })) }, ErrInvalidToken},
		{"iat in the future", func() string {
			return key.sign(t, with(func(c jwt.MapClaims) { c["iat"] = now.Add(2 * time.Minute).Unix() }))
		}, ErrInvalidToken},
		{"auth_time in the future", func() string {
			return key.sign(t, with(func(c jwt.MapClaims) { c["auth_time"] = now.Add(2 * time.Minute).Unix() }))
		}, ErrInvalidToken},
		{"empty sub", func() string { return key.sign(t, with(func(c jwt.MapClaims) { c["sub"] = "" })) }, ErrInvalidToken},
		{"no sub", func() string { return key.sign(t, with(func(c jwt.MapClaims) { delete(c, "sub") })) }, ErrInvalidToken},
		{"sub longer than 128", func() string {
			return key.sign(t, with(func(c jwt.MapClaims) { c["sub"] = strings.Repeat("u", 129) }))
		}, ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := v.VerifyIDToken(context.Background(), tt.raw())
			if tok != nil {
				t.Errorf("got token for %q, want nil", tok.UID)
			}
			if !errors.Is(err, tt.wantErr) || !errors.Is(err, ErrInvalidToken) {
				t.Errorf("got error %v, want %v wrapping ErrInvalidToken", err, tt.wantErr)
			}
		})
	}
}

func TestVerifyIDTokenClockSkew(t *testing.T) {
	key := newSigningKey(t, "kid-1")
	ks := newKeyServer(t, key)
	clock := newFakeClock()
	v := newTestVerifier(t, ks, clock, Config{ClockSkew: 30 * time.Second})
	now := clock.Now()

	tests := []struct {
		name   string
		iat    time.Time
		exp    time.Time
		wantOK bool
	}{
		{"expired within skew", now.Add(-time.Hour), now.Add(-20 * time.Second), true},
		{"expired beyond skew", now.Add(-time.Hour), now.Add(-40 * time.Second), false},
		{"iat ahead within skew", now.Add(20 * time.Second), now.Add(time.Hour), true},
		{"iat ahead beyond skew", now.Add(40 * time.Second), now.Add(time.Hour), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validClaims(now)
			c["iat"], c["exp"] = tt.iat.Unix(), tt.exp.Unix()
			_, err := v.VerifyIDToken(context.Background(), key.sign(t, c))
			if (err == nil) != tt.wantOK {
				t.Errorf("got error %v, want accepted=%v", err, tt.wantOK)
			}
		})
	}

	if _, err := NewVerifier(testProject, Config{ClockSkew: time.Hour}); err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	big, _ := NewVerifier(testProject, Config{ClockSkew: time.Hour})
	if big.skew != MaxClockSkew {
		t.Errorf("skew: got %v, want capped at %v", big.skew, MaxClockSkew)
	}
}

func TestKeyRotationFetchesOnce(t *testing.T) {
	k1 := newSigningKey(t, "kid-1")
	ks := newKeyServer(t, k1)
	clock := newFakeClock()
	v := newTestVerifier(t, ks, clock, Config{})
	ctx := context.Background()

	if _, err := v.VerifyIDToken(ctx, k1.sign(t, validClaims(clock.Now()))); err != nil {
		t.Fatalf("first verification: %v", err)
	}
	if got := ks.fetches.Load(); got != 1 {
		t.Fatalf("fetches after first verification: got %d, want 1", got)
	}

	// Google rotates: a new kid appears. Many requests carrying it at once
	// must cause exactly one more fetch.
	clock.Advance(2 * time.Minute)
	k2 := newSigningKey(t, "kid-2")
	ks.add(k2)
	raw := k2.sign(t, validClaims(clock.Now()))
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			_, err := v.VerifyIDToken(ctx, raw)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("verification with rotated key: got %v, want nil", err)
		}
	}
	if got := ks.fetches.Load(); got != 2 {
		t.Errorf("fetches after rotation: got %d, want 2", got)
	}

	// A forged kid right after a fetch does not trigger another one.
	raw3 := newSigningKey(t, "kid-forged").sign(t, validClaims(clock.Now()))
	if _, err := v.VerifyIDToken(ctx, raw3); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("forged kid: got %v, want ErrUnknownKey", err)
	}
	if got := ks.fetches.Load(); got != 2 {
		t.Errorf("fetches after forged kid within the refresh interval: got %d, want 2", got)
	}
	// After the minimum interval an unknown kid may fetch again.
	clock.Advance(61 * time.Second)
	if _, err := v.VerifyIDToken(ctx, raw3); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("forged kid later: got %v, want ErrUnknownKey", err)
	}
	if got := ks.fetches.Load(); got != 3 {
		t.Errorf("fetches after the refresh interval: got %d, want 3", got)
	}
}

func TestKeysCachedForMaxAge(t *testing.T) {
	key := newSigningKey(t, "kid-1")
	ks := newKeyServer(t, key)
	ks.cacheControl = "public, max-age=1000"
	clock := newFakeClock()
	v := newTestVerifier(t, ks, clock, Config{})
	ctx := context.Background()
	verify := func() {
		t.Helper()
		if _, err := v.VerifyIDToken(ctx, key.sign(t, validClaims(clock.Now()))); err != nil {
			t.Fatalf("VerifyIDToken: %v", err)
		}
	}

	verify()
	<-ks.fetched
	clock.Advance(800 * time.Second) // before the refresh point (900s)
	verify()
	if got := ks.fetches.Load(); got != 1 {
		t.Fatalf("fetches within max-age: got %d, want 1", got)
	}

	// Within the last tenth of the lifetime: answered from cache, refreshed in the background.
	clock.Advance(150 * time.Second)
	verify()
	<-ks.fetched
	// The handler has answered; joining the flight waits until the keys are installed.
	v.keys.group.Do("keys", func() (any, error) { return nil, nil })
	if got := ks.fetches.Load(); got != 2 {
		t.Fatalf("fetches after background refresh: got %d, want 2", got)
	}

	// Past expiry of the refreshed set (fetched at 950s, expires at 1950s): a synchronous fetch.
	clock.Advance(1001 * time.Second)
	verify()
	if got := ks.fetches.Load(); got != 3 {
		t.Errorf("fetches after expiry: got %d, want 3", got)
	}
}

func TestKeyFetchFailure(t *testing.T) {
	key := newSigningKey(t, "kid-1")
	ks := newKeyServer(t, key)
	ks.setStatus(http.StatusInternalServerError)
	clock := newFakeClock()
	v := newTestVerifier(t, ks, clock, Config{})

	_, err := v.VerifyIDToken(context.Background(), key.sign(t, validClaims(clock.Now())))
	if !errors.Is(err, ErrKeyFetch) || errors.Is(err, ErrInvalidToken) {
		t.Fatalf("got %v, want ErrKeyFetch and not ErrInvalidToken", err)
	}
	ks.setStatus(http.StatusOK)
	if _, err := v.VerifyIDToken(context.Background(), key.sign(t, validClaims(clock.Now()))); err != nil {
		t.Errorf("after recovery: got %v, want nil", err)
	}
}

func TestKeyFetchHonoursCancellation(t *testing.T) {
	key := newSigningKey(t, "kid-1")
	ks := newKeyServer(t, key)
	clock := newFakeClock()
	v := newTestVerifier(t, ks, clock, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := v.VerifyIDToken(ctx, key.sign(t, validClaims(clock.Now())))
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrInvalidToken) {
		t.Errorf("got %v, want context.Canceled and not ErrInvalidToken", err)
	}
}

// fakeRevocation is a RevocationChecker backed by a map.
type fakeRevocation map[string]UserState

func (f fakeRevocation) UserState(_ context.Context, uid string) (UserState, error) {
	return f[uid], nil
}

func TestVerifyIDTokenRevocation(t *testing.T) {
	key := newSigningKey(t, "kid-1")
	ks := newKeyServer(t, key)
	clock := newFakeClock()
	now := clock.Now()
	tests := []struct {
		name    string
		state   UserState
		wantErr error
	}{
		{"never revoked", UserState{}, nil},
		{"revoked before sign-in", UserState{TokensValidAfter: now.Add(-time.Hour)}, nil},
		{"revoked after sign-in", UserState{TokensValidAfter: now.Add(-time.Minute)}, ErrTokenRevoked},
		{"disabled", UserState{Disabled: true}, ErrUserDisabled},
		{"disabled and revoked before sign-in", UserState{TokensValidAfter: now.Add(-time.Hour), Disabled: true}, ErrUserDisabled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newTestVerifier(t, ks, clock, Config{Revocation: fakeRevocation{"uid-123": tt.state}})
			_, err := v.VerifyIDToken(context.Background(), key.sign(t, validClaims(now)))
			if !errors.Is(err, tt.wantErr) || (tt.wantErr != nil && !errors.Is(err, ErrInvalidToken)) {
				t.Errorf("got %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestCacheLifetime(t *testing.T) {
	tests := []struct {
		cacheControl, age string
		want              time.Duration
	}{
		{"public, max-age=19302, must-revalidate, no-transform", "", 19302 * time.Second},
		{"max-age=600", "100", 500 * time.Second},
		{"max-age=60", "100", 0},
		{"no-cache", "", 0},
		{"public", "", time.Hour},
		{"", "", time.Hour},
		{"max-age=abc", "", time.Hour},
	}
	for _, tt := range tests {
		h := http.Header{}
		h.Set("Cache-Control", tt.cacheControl)
		h.Set("Age", tt.age)
		if got := cacheLifetime(h, time.Hour); got != tt.want {
			t.Errorf("cacheLifetime(%q, Age %q): got %v, want %v", tt.cacheControl, tt.age, got, tt.want)
		}
	}
}

func TestParseCertificatesRejectsNonRSA(t *testing.T) {
	if _, err := parseCertificates([]byte(`{"k":"not pem"}`)); err == nil {
		t.Error("got nil error for a non-PEM certificate, want error")
	}
	if _, err := parseCertificates([]byte(`{}`)); err == nil {
		t.Error("got nil error for an empty document, want error")
	}
}
