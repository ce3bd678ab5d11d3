package cache

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"time"

	"github.com/redis/rueidis"
)

//go:embed tag.lua
var tagSource string

var tagScript = rueidis.NewLuaScript(tagSource)

// tagBatch is how many members one SPOP takes from a tag set.
const tagBatch = 256

// tag adds the Redis key k to each tag's set (one script per tag, each on a
// single key, pipelined).
func (s *RedisStore) tag(ctx context.Context, k string, ttl time.Duration, tags []string) error {
	execs := make([]rueidis.LuaExec, len(tags))
	for i, tag := range tags {
		execs[i] = rueidis.LuaExec{Keys: []string{s.prefix + "t:" + tag}, Args: []string{k, millis(ttl)}}
	}
	for _, r := range tagScript.ExecMulti(ctx, s.client, execs...) {
		if err := r.Error(); err != nil {
			return fmt.Errorf("tag: %w", err)
		}
	}
	return nil
}

// DeleteTag removes the keys stored with any of the tags. Members are taken
// from each tag set with SPOP in batches, so a key tagged concurrently is
// either deleted now or stays in the set for the next DeleteTag; the set
// disappears when it is empty. Cost: one round trip per 256 members plus
// one DEL per member.
func (s *RedisStore) DeleteTag(ctx context.Context, tags ...string) error {
	if err := checkKeys(tags); err != nil {
		return opErr("delete tag", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	return s.breaker.guard("delete tag", func() error {
		for _, tag := range tags {
			if err := s.deleteTag(ctx, s.prefix+"t:"+tag); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *RedisStore) deleteTag(ctx context.Context, tk string) error {
	for {
		members, err := s.client.Do(ctx, s.client.B().Spop().Key(tk).Count(tagBatch).Build()).AsStrSlice()
		if err != nil && !rueidis.IsRedisNil(err) {
			return err
		}
		if len(members) == 0 {
			return nil
		}
		if err := s.del(ctx, members); err != nil {
			return err
		}
	}
}

// DeletePrefix removes every key starting with prefix. It SCANs the whole
// keyspace of every node (never KEYS, so Redis is not blocked), which costs
// time proportional to the total number of keys in Redis, not to the number
// deleted: use tags for frequent invalidation.
func (s *RedisStore) DeletePrefix(ctx context.Context, prefix string) error {
	if prefix == "" {
		return opErr("delete prefix", ErrInvalidKey)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	match := globEscape(s.valuePfx+prefix) + "*"
	return s.breaker.guard("delete prefix", func() error {
		for _, node := range s.client.Nodes() {
			if err := s.scanDelete(ctx, node, match); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *RedisStore) scanDelete(ctx context.Context, node rueidis.Client, match string) error {
	var cursor uint64
	for {
		e, err := node.Do(ctx, node.B().Scan().Cursor(cursor).Match(match).Count(1000).Build()).AsScanEntry()
		if err != nil {
			return err
		}
		// Delete through the store's client, which routes each key to
		// the master of its slot (node may be a replica).
		if err := s.del(ctx, e.Elements); err != nil {
			return err
		}
		if cursor = e.Cursor; cursor == 0 {
			return nil
		}
	}
}

// globEscape quotes the characters that SCAN MATCH treats as a pattern.
func globEscape(s string) string {
	if !strings.ContainsAny(s, `*?[]\`) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
