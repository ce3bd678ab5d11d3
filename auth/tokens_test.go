package auth_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/groundwork-go/groundwork/auth"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef-test-secret")

func newHSTokens(t testing.TB, opts auth.TokenOptions) *auth.Tokens {
	t.Helper()
	key, err := auth.HS256Key("k1", testSecret)
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := auth.NewTokens(key, opts)
	if err != nil {
		t.Fatal(err)
	}
	return tokens
}

func issue(t testing.TB, tokens *auth.Tokens, typ auth.TokenType) string {
	t.Helper()
	raw, _, err := tokens.Issue(typ, &auth.Session{ID: "session-1", Subject: "42"})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// segments splits a compact JWS and decodes its header and payload.
func segments(t *testing.T, raw string) (header, payload map[string]any, sig string) {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	dec := func(s string) map[string]any {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]any{}
		d := json.NewDecoder(strings.NewReader(string(b)))
		d.UseNumber()
		if err := d.Decode(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	return dec(parts[0]), dec(parts[1]), parts[2]
}

func encodeSegment(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestIssuedClaims(t *testing.T) {
	tokens := newHSTokens(t, auth.TokenOptions{Issuer: "groundwork", Audience: "api"})
	raw := issue(t, tokens, auth.AccessToken)
	header, payload, _ := segments(t, raw)
	if header["alg"] != "HS256" || header["kid"] != "k1" {
		t.Fatalf("header = %v, want alg HS256 kid k1", header)
	}
	for _, claim := range []string{"sub", "jti", "typ", "sid", "cep", "iat", "nbf", "exp", "iss", "aud"} {
		if _, ok := payload[claim]; !ok {
			t.Fatalf("claim %q missing from %v", claim, payload)
		}
	}
	if jti := payload["jti"].(string); len(jti) != 32 {
		t.Fatalf("jti %q is not 128 bits of hex", jti)
	}
	c, err := tokens.Parse(raw, auth.AccessToken)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if c.Subject != "42" || c.Type != auth.AccessToken || c.Issuer != "groundwork" {
		t.Fatalf("claims = %+v", c)
	}
	if got := c.Expiry().Sub(c.IssuedAt.Time); got < time.Hour-time.Second || got > time.Hour {
		t.Fatalf("access lifetime = %v, want 1h", got)
	}
	iat := payload["iat"].(json.Number).String()
	if _, frac, ok := strings.Cut(iat, "."); !ok || len(frac) != 6 {
		t.Fatalf("iat = %s, want seconds with six decimals (microseconds)", iat)
	}
	if !c.IssuedAt.Equal(c.IssuedAt.Truncate(time.Microsecond)) {
		t.Fatalf("parsed iat %v has sub-microsecond noise", c.IssuedAt.Time)
	}
}

func TestRejectedTokens(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	tokens := newHSTokens(t, auth.TokenOptions{Now: clock})
	good := issue(t, tokens, auth.AccessToken)
	header, payload, sig := segments(t, good)

	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsKey, _ := auth.RS256Key("rsa1", rsaKey)
	rsTokens, err := auth.NewTokens(rsKey, auth.TokenOptions{Now: clock})
	if err != nil {
		t.Fatal(err)
	}

	otherKey, _ := auth.HS256Key("k1", []byte("another-secret-another-secret-0123456789"))
	otherTokens, _ := auth.NewTokens(otherKey, auth.TokenOptions{Now: clock})

	past := func() time.Time { return now.Add(-2 * time.Hour) }
	expiredTokens := newHSTokens(t, auth.TokenOptions{Now: past})
	future := func() time.Time { return now.Add(time.Hour) }
	futureTokens := newHSTokens(t, auth.TokenOptions{Now: future})

	// alg "none": header says none, signature empty.
	noneHeader := map[string]any{"alg": "none", "typ": "JWT", "kid": "k1"}
	algNone := encodeSegment(t, noneHeader) + "." + encodeSegment(t, payload) + "."

	// Tampered payload: change sub, keep signature.
	tampered := map[string]any{}
	for k, v := range payload {
		tampered[k] = v
	}
	tampered["sub"] = "1"
	tamperedTok := encodeSegment(t, header) + "." + encodeSegment(t, tampered) + "." + sig

	// HS/RS confusion: an HS256 token keyed with the RSA public key bytes,
	// naming the RSA kid.
	pubDER, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	confused := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": "42", "jti": "x", "typ": "access", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
	confused.Header["kid"] = "rsa1"
	confusedTok, _ := confused.SignedString(pubDER)

	// No exp.
	noExp := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "42", "jti": "x", "typ": "access", "iat": now.Unix()})
	noExp.Header["kid"] = "k1"
	noExpTok, _ := noExp.SignedString(testSecret)

	// Unknown kid.
	unknownKid := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "42", "jti": "x", "typ": "access", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
	unknownKid.Header["kid"] = "nope"
	unknownKidTok, _ := unknownKid.SignedString(testSecret)

	tests := []struct {
		name    string
		raw     string
		want    auth.TokenType
		wantErr error
	}{
		{"alg none", algNone, auth.AccessToken, auth.ErrTokenInvalid},
		{"signed with another key", issue(t, otherTokens, auth.AccessToken), auth.AccessToken, auth.ErrTokenInvalid},
		{"expired", issue(t, expiredTokens, auth.AccessToken), auth.AccessToken, auth.ErrTokenExpired},
		{"not yet valid", issue(t, futureTokens, auth.AccessToken), auth.AccessToken, auth.ErrTokenInvalid},
		{"tampered payload", tamperedTok, auth.AccessToken, auth.ErrTokenInvalid},
		{"refresh used as access", issue(t, tokens, auth.RefreshToken), auth.AccessToken, auth.ErrTokenWrongType},
		{"access used as refresh", good, auth.RefreshToken, auth.ErrTokenWrongType},
		{"HS256 with RSA public key (alg confusion)", confusedTok, auth.AccessToken, auth.ErrTokenInvalid},
		{"RS256 token to HS256-only verifier", issue(t, rsTokens, auth.AccessToken), auth.AccessToken, auth.ErrTokenInvalid},
		{"missing exp", noExpTok, auth.AccessToken, auth.ErrTokenInvalid},
		{"unknown kid", unknownKidTok, auth.AccessToken, auth.ErrTokenInvalid},
		{"garbage", "not.a.jwt", auth.AccessToken, auth.ErrTokenInvalid},
		{"empty", "", auth.AccessToken, auth.ErrTokenInvalid},
	}
	// The RSA verifier must also refuse the confused token.
	if _, err := rsTokens.Parse(confusedTok, auth.AccessToken); !errors.Is(err, auth.ErrTokenInvalid) {
		t.Fatalf("RS256 verifier accepted an HS256 token for an RSA kid: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tokens.Parse(tt.raw, tt.want)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Parse error = %v, want %v", err, tt.wantErr)
			}
		})
	}
	if _, err := tokens.Parse(good, auth.AccessToken); err != nil {
		t.Fatalf("valid token rejected: %v", err)
	}
}

func TestLeeway(t *testing.T) {
	now := time.Now()
	issuer := newHSTokens(t, auth.TokenOptions{AccessTTL: time.Minute, Now: func() time.Time { return now }})
	raw := issue(t, issuer, auth.AccessToken)
	within := newHSTokens(t, auth.TokenOptions{Leeway: 10 * time.Second, Now: func() time.Time { return now.Add(time.Minute + 5*time.Second) }})
	if _, err := within.Parse(raw, auth.AccessToken); err != nil {
		t.Fatalf("token 5s past exp rejected with 10s leeway: %v", err)
	}
	beyond := newHSTokens(t, auth.TokenOptions{Leeway: 10 * time.Second, Now: func() time.Time { return now.Add(time.Minute + 15*time.Second) }})
	if _, err := beyond.Parse(raw, auth.AccessToken); !errors.Is(err, auth.ErrTokenExpired) {
		t.Fatalf("token 15s past exp with 10s leeway: %v, want ErrTokenExpired", err)
	}
}

func TestAsymmetricKeysAndRotation(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	rs, _ := auth.RS256Key("rs", rsaKey)
	es, _ := auth.ES256Key("es", ecKey)
	ed, _ := auth.EdDSAKey("ed", edKey)
	for _, k := range []auth.Key{rs, es, ed} {
		tokens, err := auth.NewTokens(k, auth.TokenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		raw := issue(t, tokens, auth.AccessToken)
		if h, _, _ := segments(t, raw); h["alg"] != k.Method.Alg() || h["kid"] != k.ID {
			t.Fatalf("header %v, want alg %s kid %s", h, k.Method.Alg(), k.ID)
		}
		if _, err := tokens.Parse(raw, auth.AccessToken); err != nil {
			t.Fatalf("%s round trip: %v", k.Method.Alg(), err)
		}
	}

	// Rotation: old tokens (signed by es) verify after switching to ed,
	// through a verify-only copy of the old public key.
	oldTokens, _ := auth.NewTokens(es, auth.TokenOptions{})
	oldRaw := issue(t, oldTokens, auth.AccessToken)
	esPublic, _ := auth.VerificationKey("es", &ecKey.PublicKey)
	rotated, err := auth.NewTokens(ed, auth.TokenOptions{}, esPublic)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rotated.Parse(oldRaw, auth.AccessToken); err != nil {
		t.Fatalf("token of the previous key rejected after rotation: %v", err)
	}
	if h, _, _ := segments(t, issue(t, rotated, auth.AccessToken)); h["kid"] != "ed" {
		t.Fatalf("rotated Tokens sign with kid %v, want ed", h["kid"])
	}
	// Dropping the old key retires its tokens.
	retired, _ := auth.NewTokens(ed, auth.TokenOptions{})
	if _, err := retired.Parse(oldRaw, auth.AccessToken); !errors.Is(err, auth.ErrTokenInvalid) {
		t.Fatalf("retired key's token: %v, want ErrTokenInvalid", err)
	}
	if _, err := auth.NewTokens(esPublic, auth.TokenOptions{}); err == nil {
		t.Fatal("NewTokens accepted a verify-only signing key")
	}
	if _, err := auth.HS256Key("short", []byte("short")); err == nil {
		t.Fatal("HS256Key accepted a short secret")
	}
}

// TestVerifiedCacheStillChecksTime: a token verified once and remembered is
// rejected once it expires, and keeps its type.
func TestVerifiedCacheStillChecksTime(t *testing.T) {
	now := time.Now()
	tokens := newHSTokens(t, auth.TokenOptions{AccessTTL: time.Minute, Leeway: time.Second, Now: func() time.Time { return now }})
	raw := issue(t, tokens, auth.AccessToken)
	for range 3 { // the first parse fills the cache, the rest hit it
		if _, err := tokens.Parse(raw, auth.AccessToken); err != nil {
			t.Fatalf("Parse: %v", err)
		}
	}
	if _, err := tokens.Parse(raw, auth.RefreshToken); !errors.Is(err, auth.ErrTokenWrongType) {
		t.Fatalf("cached access token as refresh: %v, want ErrTokenWrongType", err)
	}
	now = now.Add(2 * time.Minute)
	if _, err := tokens.Parse(raw, auth.AccessToken); !errors.Is(err, auth.ErrTokenExpired) {
		t.Fatalf("cached token after expiry: %v, want ErrTokenExpired", err)
	}
	// A one-character change is a different token: never a cache hit.
	now = now.Add(-2 * time.Minute)
	if _, err := tokens.Parse(raw[:len(raw)-1]+"A", auth.AccessToken); err == nil && !strings.HasSuffix(raw, "A") {
		t.Fatal("tampered signature accepted")
	}
}

// The signature is checked before the claims are decoded: a token with a
// forged signature fails on the signature even when its payload is not
// JSON at all, and one longer than MaxLength fails before anything.
func TestSignatureCheckedBeforeClaims(t *testing.T) {
	tokens := newHSTokens(t, auth.TokenOptions{})
	good := issue(t, tokens, auth.AccessToken)
	header, _, _ := strings.Cut(good, ".")
	garbage := base64.RawURLEncoding.EncodeToString([]byte(`{"sub": [[[[[`))
	forged := header + "." + garbage + "." + base64.RawURLEncoding.EncodeToString([]byte("not the signature"))
	_, err := tokens.Parse(forged, auth.AccessToken)
	if !errors.Is(err, jwt.ErrTokenSignatureInvalid) || !errors.Is(err, auth.ErrTokenInvalid) {
		t.Fatalf("forged token with an undecodable payload: %v, want a signature error", err)
	}
	long := header + "." + strings.Repeat("A", 8<<10) + ".sig"
	if _, err := tokens.Parse(long, auth.AccessToken); !errors.Is(err, auth.ErrTokenTooLong) {
		t.Fatalf("token over MaxLength: %v, want ErrTokenTooLong", err)
	}
}
