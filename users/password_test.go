package users_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"

	"github.com/groundwork-go/groundwork/users"
)

// cheap are parameters that keep tests fast; production uses DefaultParams.
var cheap = users.Params{Memory: 64, Iterations: 1}

// Hashes made with the reference C implementation (libargon2, which
// argon2-cffi and passlib wrap) through its argon2id_hash_encoded function,
// with parameters other than ours.
var referenceHashes = []struct {
	name, password, encoded string
}{
	{"argon2-cffi defaults m=65536,t=3,p=4", "groundwork-legacy-pass",
		"$argon2id$v=19$m=65536,t=3,p=4$ZGKdAJWRYS3JCcBN8RqFBw$rW64ndxcMbHHaCqZCimafddRAjqfJLgQJpH8pWWt43U"},
	{"8-byte salt, 16-byte hash, p=2, non-ASCII password", "Grün-密码-9",
		"$argon2id$v=19$m=8192,t=1,p=2$aZrULDbUatE$27S2D8u7LyeKv6rCy2VsWQ"},
	{"weaker than current m=4096,t=1,p=1", "weak-params-pass",
		"$argon2id$v=19$m=4096,t=1,p=1$ID9x9UvXJNS4m2kWrvUgoQ$0gnJ2463UT7AGgF0AeI1kx3QmmSCugY3Ra2FWC9T+yg"},
}

func TestHashFormat(t *testing.T) {
	h := users.NewHasher(users.HasherOptions{})
	encoded, err := h.Hash(context.Background(), "correct horse battery staple")
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	// 16-byte salt → 22 base64 characters, 32-byte hash → 43, no padding.
	re := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !re.MatchString(encoded) {
		t.Fatalf("Hash = %q, want match for %s", encoded, re)
	}
	// Recompute the hash independently from the salt in the string.
	parts := strings.Split(encoded, "$")
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		t.Fatalf("salt: %v", err)
	}
	want := base64.RawStdEncoding.EncodeToString(argon2.IDKey([]byte("correct horse battery staple"), salt, 2, 19456, 1, 32))
	if parts[5] != want {
		t.Errorf("hash part = %q, want %q", parts[5], want)
	}
	again, err := h.Hash(context.Background(), "correct horse battery staple")
	if err != nil || again == encoded {
		t.Errorf("second Hash = %q, %v; want a different salt", again, err)
	}
}

func TestVerify(t *testing.T) {
	ctx := context.Background()
	current := users.NewHasher(users.HasherOptions{})
	own, err := users.NewHasher(users.HasherOptions{Params: cheap}).Hash(ctx, "own-password")
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	tests := []struct {
		name, encoded, password string
		match, rehash           bool
	}{
		{"own cheap hash", own, "own-password", true, true},
		{"own cheap hash, wrong password", own, "own-passwore", false, false},
		{referenceHashes[0].name, referenceHashes[0].encoded, referenceHashes[0].password, true, false},
		{referenceHashes[1].name + ", wrong password", referenceHashes[1].encoded, "Grün-密码-8", false, false},
		{referenceHashes[1].name, referenceHashes[1].encoded, referenceHashes[1].password, true, true},
		{referenceHashes[2].name, referenceHashes[2].encoded, referenceHashes[2].password, true, true},
		{"padded base64", padded(referenceHashes[2].encoded), referenceHashes[2].password, true, true},
		{"empty password", referenceHashes[2].encoded, "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			match, rehash, err := current.Verify(ctx, tt.encoded, tt.password)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if match != tt.match || rehash != tt.rehash {
				t.Errorf("Verify = match %v, rehash %v; want %v, %v", match, rehash, tt.match, tt.rehash)
			}
		})
	}
}

// padded adds base64 padding to the salt and hash of a PHC string.
func padded(encoded string) string {
	parts := strings.Split(encoded, "$")
	for _, i := range []int{4, 5} {
		for len(parts[i])%4 != 0 {
			parts[i] += "="
		}
	}
	return strings.Join(parts, "$")
}

func TestVerifyRejectsUnsupportedHashes(t *testing.T) {
	valid := referenceHashes[2].encoded
	salt, hash := strings.Split(valid, "$")[4], strings.Split(valid, "$")[5]
	tests := []struct{ name, encoded string }{
		{"empty", ""},
		{"bcrypt", "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"},
		{"argon2i", strings.Replace(valid, "argon2id", "argon2i", 1)},
		{"version 16", strings.Replace(valid, "v=19", "v=16", 1)},
		{"no version", strings.Replace(valid, "$v=19", "", 1)},
		{"missing p", fmt.Sprintf("$argon2id$v=19$m=4096,t=1$%s$%s", salt, hash)},
		{"duplicate m", fmt.Sprintf("$argon2id$v=19$m=4096,m=4096,t=1$%s$%s", salt, hash)},
		{"unknown parameter", fmt.Sprintf("$argon2id$v=19$m=4096,t=1,p=1,x=2$%s$%s", salt, hash)},
		{"zero iterations", fmt.Sprintf("$argon2id$v=19$m=4096,t=0,p=1$%s$%s", salt, hash)},
		{"zero parallelism", fmt.Sprintf("$argon2id$v=19$m=4096,t=1,p=0$%s$%s", salt, hash)},
		{"memory below 8*p", fmt.Sprintf("$argon2id$v=19$m=15,t=1,p=2$%s$%s", salt, hash)},
		{"memory above bound", fmt.Sprintf("$argon2id$v=19$m=8388608,t=1,p=1$%s$%s", salt, hash)},
		{"iterations above bound", fmt.Sprintf("$argon2id$v=19$m=4096,t=1000,p=1$%s$%s", salt, hash)},
		{"negative memory", fmt.Sprintf("$argon2id$v=19$m=-1,t=1,p=1$%s$%s", salt, hash)},
		{"short salt", fmt.Sprintf("$argon2id$v=19$m=4096,t=1,p=1$c2FsdA$%s", hash)},
		{"bad base64", fmt.Sprintf("$argon2id$v=19$m=4096,t=1,p=1$%s$%s", salt, "!!!!"+hash[4:])},
		{"trailing field", valid + "$extra"},
	}
	h := users.NewHasher(users.HasherOptions{Params: cheap})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			match, _, err := h.Verify(context.Background(), tt.encoded, "weak-params-pass")
			if !errors.Is(err, users.ErrUnsupportedHash) || match {
				t.Errorf("Verify = %v, %v; want false, ErrUnsupportedHash", match, err)
			}
		})
	}
}

func TestPasswordLengthBound(t *testing.T) {
	ctx := context.Background()
	h := users.NewHasher(users.HasherOptions{Params: cheap})
	long := strings.Repeat("x", users.MaxPasswordBytes+1)
	if _, err := h.Hash(ctx, long); !errors.Is(err, users.ErrPasswordTooLong) {
		t.Errorf("Hash(%d bytes) error = %v, want ErrPasswordTooLong", len(long), err)
	}
	if _, _, err := h.Verify(ctx, referenceHashes[2].encoded, long); !errors.Is(err, users.ErrPasswordTooLong) {
		t.Errorf("Verify(%d bytes) error = %v, want ErrPasswordTooLong", len(long), err)
	}
	if _, err := h.Hash(ctx, long[:users.MaxPasswordBytes]); err != nil {
		t.Errorf("Hash(%d bytes): %v", users.MaxPasswordBytes, err)
	}
}

func TestVerifyDummy(t *testing.T) {
	h := users.NewHasher(users.HasherOptions{Params: cheap})
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // a cancelled first caller must not break later ones
	_ = h.VerifyDummy(ctx, "whatever1")
	if err := h.VerifyDummy(context.Background(), "whatever2"); err != nil {
		t.Errorf("VerifyDummy: %v", err)
	}
	if err := h.VerifyDummy(context.Background(), strings.Repeat("y", 5000)); err != nil {
		t.Errorf("VerifyDummy(long password): %v", err)
	}
}

func TestDefaultParams(t *testing.T) {
	got := users.NewHasher(users.HasherOptions{}).Params()
	want := users.Params{Memory: 19456, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}
	if got != want || users.DefaultParams() != want {
		t.Errorf("default params = %+v / %+v, want %+v", got, users.DefaultParams(), want)
	}
	partial := users.NewHasher(users.HasherOptions{Params: users.Params{Memory: 65536}}).Params()
	if partial.Memory != 65536 || partial.Iterations != 2 || partial.KeyLength != 32 {
		t.Errorf("partial params = %+v, want m=65536 and defaults elsewhere", partial)
	}
}
