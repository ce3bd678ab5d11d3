package ratelimit

import (
	"context"
	"strings"
	"testing"

	"github.com/groundwork-go/groundwork/internal/redisconn"
	"github.com/groundwork-go/groundwork/internal/testenv"
)

// codecCheck packs and reads back values, headers and timestamps with the
// script's codec and returns, per case, the packed bytes and "ok" when every
// field round-trips.
const codecCheck = `
local out = {}
local cases = {
  {1000000, 3, 5, 48, 1795644659123456, 1795644661123456},
  {1, 0, 0, 0, 0, 0},
  {4294967295, 4294967294, 4294967293, 4294967288, 9007199254740991, 4503599627370496},
}
for _, c in ipairs(cases) do
  local stamps = packStamps({c[5], c[6], c[5] + 1}, 3)
  local v = packSmall(c[1], c[6], stamps, c[5])
  local tag, limit, expires, first = smallMeta(v)
  local ok = #v == SMETA + 32 and tag == SMALL and limit == c[1] and expires == c[6] and first == c[5] and
    sub(v, SMETA + 1, SMETA + 24) == stamps and stampAt(v, SMETA + 25) == c[5] and
    packSmall(c[1], c[6], stamps .. packStamp(c[5])) == v and stampAt(stamps, 17) == c[5] + 1
  local h = packBig(c[1], c[2], c[3], c[4], c[5], c[6], stamps)
  local got = {bigMeta(h)}
  ok = ok and #h == BMETA + 24 and got[1] == BIG and sub(h, BMETA + 1) == stamps and packStamp(c[6]) == sub(h, 29, 36)
  for i = 1, 6 do ok = ok and got[i + 1] == c[i] end
  out[#out + 1] = v .. h
  out[#out + 1] = ok and 'ok' or 'mismatch'
end
return out
`

// The script's two codecs — Redis's struct library and the plain Lua one
// used where it is missing (miniredis) — write the same bytes and read back
// what they wrote, so a value written by either is read alike.
func TestScriptCodecsAgree(t *testing.T) {
	srv := testenv.Redis(t)
	if !srv.Real {
		t.Skip("comparing with Redis's struct library needs a real Redis (REDIS_URL)")
	}
	client, err := redisconn.OpenUncached(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	start := strings.Index(luaSource, "-- The value's integers")
	end := strings.Index(luaSource, "-- The decision being made")
	if start < 0 || end < start {
		t.Fatal("codec section not found in ratelimit.lua")
	}
	prelude := luaSource[:strings.Index(luaSource, "local t = redis.call('TIME')")]
	codec := luaSource[start:end]
	run := func(codec string) []string {
		t.Helper()
		vals, err := client.Do(context.Background(), client.B().Eval().Script(prelude+codec+codecCheck).Numkeys(0).Build()).AsStrSlice()
		if err != nil {
			t.Fatal(err)
		}
		return vals
	}
	withStruct := run(codec)
	plain := strings.Replace(codec, "local struct = rawget(_G, 'struct')", "local struct = nil", 1)
	if plain == codec {
		t.Fatal("could not disable the struct library in the codec")
	}
	withoutStruct := run(plain)
	for i := range withStruct {
		if i%2 == 1 {
			if withStruct[i] != "ok" || withoutStruct[i] != "ok" {
				t.Errorf("case %d: round trip with struct %s, plain Lua %s", i/2, withStruct[i], withoutStruct[i])
			}
		} else if withStruct[i] != withoutStruct[i] {
			t.Errorf("case %d: values differ\nstruct % x\nplain  % x", i/2, withStruct[i], withoutStruct[i])
		}
	}
}
