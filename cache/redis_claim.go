package cache

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"time"

	"github.com/redis/rueidis"
)

// Every Redis value key holds either a value, stored with valueMark before
// its bytes, or a load's claim, which starts with claimMark. Reads treat
// anything else as missing.
const (
	valueMark = 'v'
	claimMark = 'c'
)

var (
	//go:embed claim.lua
	claimSource string
	//go:embed setclaimed.lua
	setClaimedSource string

	claimScript      = rueidis.NewLuaScript(claimSource)
	setClaimedScript = rueidis.NewLuaScript(setClaimedSource)
)

// marked returns value with valueMark before it, as stored in Redis.
func marked(value []byte) string {
	b := make([]byte, 1+len(value))
	b[0] = valueMark
	copy(b[1:], value)
	return rueidis.BinaryString(b)
}

// newClaim returns a claim no other process will make: claimMark and a
// random token.
func newClaim() string { return string(claimMark) + randomToken() }

// randomToken returns 128 random bits in hex.
func randomToken() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Claim reads key from Redis itself and returns its value, or ErrNotFound
// and the claim it holds or now gets (one script on the value key).
func (s *RedisStore) Claim(ctx context.Context, key string, ttl time.Duration) ([]byte, string, error) {
	if err := checkSet(key, ttl, nil); err != nil {
		return nil, "", opErr("claim", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var cur string
	err := s.breaker.guard("claim", func() error {
		var err error
		cur, err = claimScript.Exec(ctx, s.client, []string{s.valuePfx + key}, []string{newClaim(), millis(ttl)}).ToString()
		return err
	})
	switch {
	case err != nil:
		return nil, "", err
	case cur[0] == valueMark:
		return []byte(cur[1:]), "", nil
	}
	return nil, cur, opErr("claim", ErrNotFound)
}

// SetClaimed stores value under key for ttl if key still holds claim (one
// script on the value key, so the check and the write are atomic).
func (s *RedisStore) SetClaimed(ctx context.Context, key, claim string, value []byte, ttl time.Duration) (bool, error) {
	if err := checkSet(key, ttl, nil); err != nil {
		return false, opErr("set claimed", err)
	}
	if claim == "" || claim[0] != claimMark {
		return false, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	k := s.valuePfx + key
	var stored bool
	err := s.breaker.guard("set claimed", func() error {
		w := s.pending.begin(k)
		defer s.pending.finish(w)
		n, err := setClaimedScript.Exec(ctx, s.client, []string{k}, []string{claim, marked(value), millis(ttl)}).AsInt64()
		stored = n == 1
		return err
	})
	return stored, err
}
