package users

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Bounds on the parameters of a stored hash that Verify accepts, so that a
// corrupt or hostile row cannot make one login allocate unbounded memory or
// run for minutes.
const (
	maxMemoryKiB  = 4 << 20 // 4 GiB, above RFC 9106's 2 GiB "high memory" profile
	maxIterations = 64
	minSaltBytes  = 8
	maxSaltBytes  = 64
	minKeyBytes   = 4
	maxKeyBytes   = 128
)

// phcHash is a decoded argon2id PHC string:
// $argon2id$v=19$m=<KiB>,t=<iterations>,p=<lanes>$<salt>$<hash>, with salt
// and hash in unpadded standard base64.
type phcHash struct {
	params Params
	salt   []byte
	key    []byte
}

// encodePHC formats an argon2id hash as a PHC string.
func encodePHC(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Iterations, p.Parallelism,
		base64.RawStdEncoding.EncodeToString(salt),
		base64.RawStdEncoding.EncodeToString(key))
}

// parsePHC decodes and bounds-checks an argon2id PHC string.
func parsePHC(s string) (*phcHash, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return nil, fmt.Errorf("%w: not a PHC string", ErrUnsupportedHash)
	}
	if parts[1] != "argon2id" {
		return nil, fmt.Errorf("%w: algorithm %q, want argon2id", ErrUnsupportedHash, parts[1])
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return nil, fmt.Errorf("%w: version %q, want v=%d", ErrUnsupportedHash, parts[2], argon2.Version)
	}
	p, err := parsePHCParams(parts[3])
	if err != nil {
		return nil, err
	}
	salt, err := decodePHCBase64(parts[4])
	if err != nil || len(salt) < minSaltBytes || len(salt) > maxSaltBytes {
		return nil, fmt.Errorf("%w: bad salt", ErrUnsupportedHash)
	}
	key, err := decodePHCBase64(parts[5])
	if err != nil || len(key) < minKeyBytes || len(key) > maxKeyBytes {
		return nil, fmt.Errorf("%w: bad hash", ErrUnsupportedHash)
	}
	p.SaltLength, p.KeyLength = uint32(len(salt)), uint32(len(key))
	return &phcHash{params: p, salt: salt, key: key}, nil
}

// parsePHCParams reads "m=..,t=..,p=.." (each exactly once, in any order).
func parsePHCParams(s string) (Params, error) {
	var p Params
	seen := map[string]bool{}
	for field := range strings.SplitSeq(s, ",") {
		name, value, ok := strings.Cut(field, "=")
		if !ok || seen[name] {
			return p, fmt.Errorf("%w: bad parameter %q", ErrUnsupportedHash, field)
		}
		seen[name] = true
		n, err := strconv.ParseUint(value, 10, 32)
		if err != nil {
			return p, fmt.Errorf("%w: bad parameter %q", ErrUnsupportedHash, field)
		}
		switch name {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Iterations = uint32(n)
		case "p":
			if n > 255 {
				return p, fmt.Errorf("%w: parallelism %d out of range", ErrUnsupportedHash, n)
			}
			p.Parallelism = uint8(n)
		default:
			return p, fmt.Errorf("%w: unknown parameter %q", ErrUnsupportedHash, name)
		}
	}
	if len(seen) != 3 {
		return p, fmt.Errorf("%w: want parameters m, t and p", ErrUnsupportedHash)
	}
	if p.Parallelism < 1 || p.Iterations < 1 || p.Iterations > maxIterations ||
		p.Memory < 8*uint32(p.Parallelism) || p.Memory > maxMemoryKiB {
		return p, fmt.Errorf("%w: parameters m=%d,t=%d,p=%d out of range", ErrUnsupportedHash, p.Memory, p.Iterations, p.Parallelism)
	}
	return p, nil
}

// decodePHCBase64 decodes standard base64 without padding (the PHC form),
// tolerating padding that some encoders add.
func decodePHCBase64(s string) ([]byte, error) {
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}
