-- Sliding-window-log decisions (slidinglog.go is the same algorithm in Go,
-- and ratelimittest checks both against a reference model), one per key, in
-- order; a key may appear more than once. The policies come run-length
-- encoded: ARGV holds groups of four,
--   limit (requests), window (µs), window in ms rounded up, n
-- the policy of the next n keys. Returns the Redis clock (µs), then for each
-- key two numbers:
--   code        remaining * 2 + allowed (0/1)
--   reset - now µs from the decision's time to its reset
-- where the decision's time is the clock; when it is not (the clock went
-- back behind the key's newest entry), code is -(code + 1) and a third
-- number, the decision's time minus the clock, follows.
--
-- The value is a string: a fixed 176-byte header, then a ring of cap slots
-- (8-byte big-endian µs timestamps). The header (big-endian):
--   0  "GWr3"   layout tag
--   4  limit    the limit the value was built for (u32)
--   8  fFirst   first valid slot of the front buffer (u32)
--  12  fCount   valid slots of the front buffer (u32)
--  16  rHead    ring slot of the ring's oldest entry (u32)
--  20  rCount   entries in the ring (u32)
--  24  rCap     slots of the ring (u32)
--  28  bCount   entries in the back buffer (u32)
--  32  newest   the newest entry (u64)
--  40  expires  when the key's TTL ends, µs (u64)
--  48  front    8 slots: the oldest entries
-- 112  back     8 slots: the newest entries
-- The entries, oldest first, are the front's, the ring's, then the back's;
-- since denied requests are never recorded, the last limit of them decide
-- exactly. A decision reads the header alone (one GETRANGE), drops the
-- entries that left the window from the front, and records an allowed
-- request in the back, writing the header alone (one SETRANGE); consecutive
-- decisions on one key (the caller sorts a batch by key) share that read
-- and that write. Entries move
-- between the buffers and the ring in blocks of 8 (the ring's head, count
-- and cap stay multiples of 8, so a block never wraps): a full back is
-- appended to the ring, an empty front refilled from it, each one command
-- per 8 requests. Only when the ring is full below limit is the value
-- rebuilt, with twice the slots (up to limit), so rebuilding costs O(1) per
-- request over time. A denied decision writes nothing. The TTL is set to two
-- windows and renewed only once less than one window is left, so a key
-- lives one to two windows after its last allowed request. The clock is
-- Redis TIME, read once per call, never allowed to go back behind a key's
-- newest entry.
local TAG, F, B, BLOCK = 'GWr3', 8, 8, 8
local META = 48
local FOFF, BOFF = META, META + 8 * F -- 0-based offsets of the buffers
local HDR = META + 8 * (F + B)
local sub, rep, min, max = string.sub, string.rep, math.min, math.max

local t = redis.call('TIME')
local clock = tonumber(t[1]) * 1000000 + tonumber(t[2])

-- The value's integers are big-endian and below 2^53, so exact in a double.
-- Redis bundles the struct library, whose C functions read or write the
-- header's fields in one call; where it is missing (miniredis, in tests)
-- the same functions are plain Lua.
--   readMeta(s)      tag, limit, fFirst, fCount, rHead, rCount, rCap,
--                    bCount, newest, expires
--   packMeta(...)    the 48 bytes for limit … expires
--   packStamp(x), stampAt(s, p)   one 8-byte timestamp, written or read at p
local readMeta, packMeta, packStamp, stampAt
local struct = rawget(_G, 'struct') -- reading a missing global is an error
if struct then
  local pack, unpack = struct.pack, struct.unpack
  readMeta = function(s) return unpack('>c4I4I4I4I4I4I4I4i8i8', s) end
  packMeta = function(...) return pack('>c4I4I4I4I4I4I4I4i8i8', TAG, ...) end
  packStamp = function(x) return pack('>i8', x) end
  stampAt = function(s, p) return (unpack('>i8', s, p)) end
else
  local byte, char = string.byte, string.char
  local function u32(s, p)
    local a, b, c, d = byte(s, p, p + 3)
    return ((a * 256 + b) * 256 + c) * 256 + d
  end
  local function u64(s, p)
    return u32(s, p) * 4294967296 + u32(s, p + 4)
  end
  local function p32(x)
    local d = x % 256
    x = (x - d) / 256
    local c = x % 256
    x = (x - c) / 256
    local b = x % 256
    return char((x - b) / 256, b, c, d)
  end
  local function p64(x)
    local lo = x % 4294967296
    return p32((x - lo) / 4294967296) .. p32(lo)
  end
  readMeta = function(s)
    return sub(s, 1, 4), u32(s, 5), u32(s, 9), u32(s, 13), u32(s, 17), u32(s, 21), u32(s, 25), u32(s, 29),
      u64(s, 33), u64(s, 41)
  end
  packMeta = function(limit, fFirst, fCount, rHead, rCount, rCap, bCount, newest, expires)
    return TAG .. p32(limit) .. p32(fFirst) .. p32(fCount) .. p32(rHead) .. p32(rCount) .. p32(rCap) ..
      p32(bCount) .. p64(newest) .. p64(expires)
  end
  packStamp = p64
  stampAt = u64
end

-- The decision being made: its key, policy and time, and the key's state.
-- front is the front buffer's 8 slots, back the back buffer's bCount
-- entries, both raw. The functions below share these instead of being
-- created anew for every decision.
local key, limit, window, ttl, now
local fFirst, fCount, rHead, rCount, rCap, bCount, newest, expires, front, back
-- The key whose state the variables above hold (nil before the first
-- decision), the limit its value was built for, whether its header must
-- still be written, and whether its TTL must be renewed then. Consecutive
-- decisions on one key share one read and one write of its header.
local cur, stored, dirty, renew

local function header()
  return packMeta(limit, fFirst, fCount, rHead, rCount, rCap, bCount, newest, expires) ..
    front .. back .. rep('\0', 8 * (B - bCount))
end

-- fresh starts the key over with this request as its only entry.
local function fresh()
  stored, dirty, renew = limit, false, false
  fFirst, fCount, rHead, rCount, rCap, bCount, newest, expires = 0, 1, 0, 0, 0, 0, now, now + 2 * window
  front, back = packStamp(now) .. rep('\0', 8 * (F - 1)), ''
  redis.call('SET', key, header(), 'PX', 2 * ttl)
  return 1, limit - 1, now + window
end

-- whole reads the entire value and returns its ring's entries oldest
-- first, or nil if the value's length is wrong.
local function ringEntries()
  local v = redis.call('GET', key)
  if type(v) ~= 'string' or #v ~= HDR + 8 * rCap then return nil end
  local a = HDR + 8 * rHead
  local first = min(rCount, rCap - rHead)
  return sub(v, a + 1, a + 8 * first) .. sub(v, HDR + 1, HDR + 8 * (rCount - first))
end

-- layout rewrites the value from n raw entries, oldest first, keeping the
-- key's TTL: the front takes the first ones, the ring whole blocks, the
-- back the rest.
local function layout(raw, n)
  local f = min(n, F)
  local r = n - f
  r = r - r % BLOCK
  fFirst, fCount, rHead, rCount, rCap, bCount = 0, f, 0, r, r, n - f - r
  front = sub(raw, 1, 8 * f) .. rep('\0', 8 * (F - f))
  back = sub(raw, 8 * (f + r) + 1, 8 * n)
  redis.call('SET', key, header() .. sub(raw, 8 * f + 1, 8 * (f + r)), 'KEEPTTL')
end

-- flush writes cur's header if a decision changed it.
local function flush()
  if dirty then
    redis.call('SETRANGE', cur, 0, header())
    if renew then redis.call('PEXPIRE', cur, 2 * ttl) end
  end
  dirty, renew = false, false
end

-- load reads k's header into the variables, or returns false when the key
-- is absent, not ours or damaged.
local function load(k)
  local s = redis.call('GETRANGE', k, 0, HDR - 1)
  if #s ~= HDR then return false end
  local tag
  tag, stored, fFirst, fCount, rHead, rCount, rCap, bCount, newest, expires = readMeta(s)
  if tag ~= TAG or fFirst + fCount > F or bCount > B or rCount > rCap or rCap % BLOCK ~= 0 or
    rHead % BLOCK ~= 0 or rCount % BLOCK ~= 0 or (rCap > 0 and rHead >= rCap) then
    return false
  end
  front, back = sub(s, FOFF + 1, FOFF + 8 * F), sub(s, BOFF + 1, BOFF + 8 * bCount)
  return true
end

-- decide makes the decision for key k under limit lim, window win (µs) and
-- TTL tl (ms, a string) and returns allowed (0/1), remaining and reset.
local function decide(k, lim, win, tl)
  if k ~= cur then
    flush()
    cur = k
    key, limit, window, ttl, now = k, lim, win, tl, clock
    if not load(k) then return fresh() end
  else
    key, limit, window, ttl, now = k, lim, win, tl, clock
  end
  local total = fCount + rCount + bCount

  if stored ~= limit then -- the limit changed: keep the newest entries
    local ring = ringEntries()
    if not ring then return fresh() end
    local raw = sub(front, 8 * fFirst + 1, 8 * (fFirst + fCount)) .. ring .. back
    local keep = min(total, limit)
    layout(sub(raw, 8 * (total - keep) + 1), keep)
    stored, total = limit, keep
  end

  if total > 0 and now < newest then now = newest end
  local cutoff = now - window
  if total == 0 or newest <= cutoff then -- every entry left the window
    return fresh()
  end

  -- Drop the entries that left the window from the front, refilling it
  -- from the ring (or, with the ring empty, the back) as it empties. Each
  -- entry is dropped once, so this is O(1) per request over time; the
  -- newest entry is in the window, so the loop ends.
  local oldest
  while true do
    if fCount == 0 then
      if rCount > 0 then
        local at = HDR + 8 * rHead
        local block = redis.call('GETRANGE', key, at, at + 8 * BLOCK - 1)
        if #block ~= 8 * BLOCK then return fresh() end
        front, fFirst, fCount = block, 0, BLOCK
        rHead, rCount = (rHead + BLOCK) % rCap, rCount - BLOCK
      elseif bCount > 0 then
        front, fFirst, fCount = back .. rep('\0', 8 * (F - bCount)), 0, bCount
        back, bCount = '', 0
      else
        return fresh() -- newest disagrees with the entries: damaged
      end
    end
    local ts = stampAt(front, 8 * fFirst + 1)
    if ts > cutoff then
      oldest = ts
      break
    end
    fFirst, fCount, total = fFirst + 1, fCount - 1, total - 1
  end

  if total >= limit then
    return 0, 0, oldest + window
  end

  if bCount == B then -- append the full back to the ring as one block
    if rCount == rCap then -- the ring is full: rebuild it larger
      local ring = ringEntries()
      if not ring then return fresh() end
      local cap = min(limit + (BLOCK - limit % BLOCK) % BLOCK, max(2 * rCap, rCap + BLOCK, 2 * BLOCK))
      rHead, rCount, rCap = 0, rCount + BLOCK, cap
      local v = header() .. ring .. back .. rep('\0', 8 * (cap - rCount))
      redis.call('SET', key, v, 'KEEPTTL')
    else
      local tail = (rHead + rCount) % rCap
      redis.call('SETRANGE', key, HDR + 8 * tail, back)
      rCount = rCount + BLOCK
    end
    back, bCount = '', 0
  end
  back, bCount, newest, dirty = back .. packStamp(now), bCount + 1, now, true
  if now + window > expires then expires, renew = now + 2 * window, true end
  return 1, limit - total - 1, oldest + window
end

local out, n, k = { clock }, 1, 0
for g = 1, #ARGV, 4 do
  local lim, win, tl = tonumber(ARGV[g]), tonumber(ARGV[g + 1]), ARGV[g + 2]
  for _ = 1, tonumber(ARGV[g + 3]) do
    k = k + 1
    local allowed, remaining, reset = decide(KEYS[k], lim, win, tl)
    local code = remaining * 2 + allowed
    if now == clock then
      out[n + 1], out[n + 2] = code, reset - now
      n = n + 2
    else
      out[n + 1], out[n + 2], out[n + 3] = -code - 1, reset - now, now - clock
      n = n + 3
    end
  end
end
flush()
return out
