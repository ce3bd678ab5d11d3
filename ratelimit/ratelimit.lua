-- Sliding-window-log decisions (slidinglog.go is the same algorithm in Go,
-- and ratelimittest checks both against a reference model), one per key, in
-- order; a key may appear more than once, its decisions next to each other
-- (runScript sees to it). The policies come run-length
-- encoded: ARGV holds groups of four,
--   limit (requests), window (µs), TTL (ms: two windows, rounded up), n
-- the policy of the next n keys. Returns the Redis clock (µs), then for each
-- key two numbers:
--   code        remaining * 2 + allowed (0/1)
--   reset - now µs from the decision's time to its reset
-- where the decision's time is the clock; when it is not (the clock went
-- back behind the key's newest entry), code is -(code + 1) and a third
-- number, the decision's time minus the clock, follows.
--
-- A key holds the times (µs) of its last allowed requests, oldest first,
-- as 8-byte big-endian integers; since denied requests are never recorded,
-- the last limit of them decide exactly. It takes one of two forms.
--
-- Small (up to 32 entries, the oldest of which may have left the window),
-- a string:
--   0  "GWr4"   layout tag
--   4  limit    the limit the value was built for (u32)
--   8  expires  when the key's TTL ends, µs (u64)
--  16  entries
-- A call reads the values of all its keys with one MGET; an allowed
-- request is appended to its key's value (APPEND), which is rewritten (SET)
-- without the entries that left the window once 4 did (or the TTL is
-- renewed), so a decision on a key of its own costs one command and its
-- share of the MGET.
--
-- Large, a list: element 0 a header, then blocks of 8 entries (64 bytes),
-- oldest first. The header:
--   0  "GWl4"   layout tag
--   4  limit    (u32)
--   8  fCount   entries of the front (u32)
--  12  bCount   entries of the back (u32)
--  16  rCount   entries in the blocks (u32, a multiple of 8)
--  20  newest   the newest entry (u64)
--  28  expires  (u64)
--  36  front    the oldest fCount entries (at most 8), then
--      back     the newest bCount entries (at most 8)
-- MGET answers nothing for a list, so its header is read alone (LINDEX);
-- entries that left the window are dropped from the front, which is
-- refilled from the first block (LPOP) as it empties, and an allowed
-- request joins the back, which becomes the last block (RPUSH) once it
-- holds 8: each one command per 8 requests, so the cost does not grow
-- with the entries. A small value that would exceed 32 entries becomes a
-- list, and a list left with 16 or fewer a small value again.
--
-- A decision changes its key's state in the script, and the state is
-- written once per run of consecutive decisions on the key (the caller
-- sorts a batch by key); a denied decision changes nothing but what it
-- dropped. The TTL is set to two windows and renewed only once less than
-- one window is left, so a key lives one to two windows after its last
-- allowed request. The clock is Redis TIME, read once per call, never
-- allowed to go back behind a key's newest entry.
local SMALL, BIG = 'GWr4', 'GWl4'
local SMETA, BMETA = 16, 36 -- bytes before the entries
local S, BLOCK = 32, 8 -- most entries of a small value; entries per block
local STALE = 4 -- a small value is rewritten once this many entries left the window
local CHUNK = 1024 -- most blocks per RPUSH when a list is rewritten
local sub, min = string.sub, math.min
local unpackTable = unpack

local t = redis.call('TIME')
local clock = tonumber(t[1]) * 1000000 + tonumber(t[2])

-- The value's integers are big-endian and below 2^53, so exact in a double.
-- Redis bundles the struct library, whose C functions read or write a
-- value's fields in one call; where it is missing (miniredis, in tests) the
-- same functions are plain Lua.
--   smallMeta(v)     tag, limit, expires, the first entry
--   packSmall(limit, expires, raw[, x])   a small value holding the raw
--                    entries (and the timestamp x after them)
--   bigMeta(h)       tag, limit, fCount, bCount, rCount, newest, expires
--   packBig(limit, fCount, bCount, rCount, newest, expires, raw)
--   packStamp(x), stampAt(s, p)   one timestamp, written or read at p
--   packStamps(ts, n)   the timestamps ts[1] … ts[n]
local smallMeta, packSmall, bigMeta, packBig, packStamp, stampAt, packStamps
local struct = rawget(_G, 'struct') -- reading a missing global is an error
if struct then
  local pack, unpack = struct.pack, struct.unpack
  local formats = {}
  smallMeta = function(v) return unpack('>c4I4i8i8', v) end
  packSmall = function(limit, expires, raw, x)
    if x then return pack('>c4I4i8c0i8', SMALL, limit, expires, raw, x) end
    return pack('>c4I4i8c0', SMALL, limit, expires, raw)
  end
  bigMeta = function(h) return unpack('>c4I4I4I4I4i8i8', h) end
  packBig = function(limit, fCount, bCount, rCount, newest, expires, raw)
    return pack('>c4I4I4I4I4i8i8c0', BIG, limit, fCount, bCount, rCount, newest, expires, raw)
  end
  packStamp = function(x) return pack('>i8', x) end
  stampAt = function(s, p) return (unpack('>i8', s, p)) end
  packStamps = function(ts, n)
    if n == 1 then return pack('>i8', ts[1]) end
    local f = formats[n]
    if not f then
      f = '>' .. string.rep('i8', n)
      formats[n] = f
    end
    return pack(f, unpackTable(ts, 1, n))
  end
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
  smallMeta = function(v) return sub(v, 1, 4), u32(v, 5), u64(v, 9), u64(v, 17) end
  packSmall = function(limit, expires, raw, x)
    return SMALL .. p32(limit) .. p64(expires) .. raw .. (x and p64(x) or '')
  end
  bigMeta = function(h)
    return sub(h, 1, 4), u32(h, 5), u32(h, 9), u32(h, 13), u32(h, 17), u64(h, 21), u64(h, 29)
  end
  packBig = function(limit, fCount, bCount, rCount, newest, expires, raw)
    return BIG .. p32(limit) .. p32(fCount) .. p32(bCount) .. p32(rCount) .. p64(newest) .. p64(expires) .. raw
  end
  packStamp = p64
  stampAt = u64
  packStamps = function(ts, n)
    local out = {}
    for i = 1, n do out[i] = p64(ts[i]) end
    return table.concat(out)
  end
end

-- The decision being made (its time, window and TTL) and the state of its
-- key, shared by the functions below instead of being created anew for
-- every decision. form is SMALL, BIG, false (the value is not the store's:
-- start over) or nil (not read yet: the key is missing or not a string).
-- Both forms keep the entries recorded by this call apart, in adds[1 … na].
local key, now, win, ttl
local form, stored, newest, expires, dirty, renew
local adds, na = {}, 0
-- SMALL: the stored entries are raw's bytes pos … rawEnd; appendable: raw
-- is the stored value, so the new entries can be appended to it; the
-- entry at byte firstAt is first (read with the header).
local raw, pos, rawEnd, appendable, firstAt, first
-- BIG: the front's entries are front's fFirst … fFirst + fCount - 1
-- (0-based), then come rCount entries in the list's blocks, then the back's
-- bCount. headerOut: the header was popped off the list, which must get it
-- back; lost: the list was emptied, so its key and TTL are gone.
local front, fFirst, fCount, rCount, back, bCount, headerOut, lost

-- load takes the value v (a string, or false) as the state of key k.
local function load(k, v)
  key, na, dirty, renew = k, 0, false, false
  if not v then
    form = nil
    return
  end
  form = false
  local n8 = #v - SMETA
  if n8 <= 0 or n8 % 8 ~= 0 or n8 > 8 * S then return end
  local tag
  tag, stored, expires, first = smallMeta(v)
  if tag ~= SMALL then return end
  form, raw, pos, rawEnd, newest, appendable, firstAt = SMALL, v, SMETA + 1, #v, stampAt(v, #v - 7), true, SMETA + 1
end

-- loadBig reads key's header when it holds a list.
local function loadBig()
  local h = redis.pcall('LINDEX', key, 0) -- an error when not a list
  if type(h) ~= 'string' or #h < BMETA then return end
  local tag, b
  tag, stored, fCount, b, rCount, newest, expires = bigMeta(h)
  if tag ~= BIG or fCount > BLOCK or b > BLOCK or rCount % BLOCK ~= 0 or #h ~= BMETA + 8 * (fCount + b) then
    return
  end
  form, front, fFirst, back, bCount = BIG, sub(h, BMETA + 1, BMETA + 8 * fCount), 0, sub(h, BMETA + 8 * fCount + 1), b
  headerOut, lost = false, false
end

-- fresh starts the key over with this request as its only entry.
local function fresh(limit)
  form, stored, raw, pos, rawEnd, appendable, firstAt = SMALL, limit, '', 1, 0, false, 0
  adds[1], na = now, 1
  newest, expires, dirty, renew = now, now + 2 * win, true, true
  return 1, limit - 1, now + win
end

-- entries returns the key's entries, oldest first, and their number, or
-- nil when the list is damaged.
local function entries()
  local out
  if form == SMALL then
    out = sub(raw, pos, rawEnd)
  else
    local blocks = redis.call('LRANGE', key, headerOut and 0 or 1, -1)
    local ring = table.concat(blocks)
    if #ring ~= 8 * rCount then return nil end
    out = sub(front, 8 * fFirst + 1, 8 * (fFirst + fCount)) .. ring .. back
  end
  if na > 0 then out = out .. packStamps(adds, na) end
  return out, #out / 8
end

-- toBig rewrites the key as a list of the n entries in all: the front
-- takes the first ones, the blocks the middle, the back the rest.
local function toBig(all, n)
  local f = min(n, BLOCK)
  local r = n - f
  r = r - r % BLOCK
  form, na, headerOut, lost = BIG, 0, false, false
  front, fFirst, fCount, rCount = sub(all, 1, 8 * f), 0, f, r
  back, bCount = sub(all, 8 * (f + r) + 1), n - f - r
  expires = now + 2 * win
  redis.call('DEL', key)
  local args = { packBig(stored, fCount, bCount, rCount, newest, expires, front .. back) }
  for b = 0, r / BLOCK - 1 do
    local at = 8 * (f + BLOCK * b)
    args[#args + 1] = sub(all, at + 1, at + 8 * BLOCK)
    if #args == CHUNK then
      redis.call('RPUSH', key, unpackTable(args))
      args = {}
    end
  end
  if #args > 0 then redis.call('RPUSH', key, unpackTable(args)) end
  redis.call('PEXPIRE', key, ttl)
  dirty, renew = false, false
end

-- relimit keeps the newest entries under a changed limit; false when the
-- key is damaged.
local function relimit(limit)
  local all, n = entries()
  if not all then return false end
  local keep = min(n, limit)
  all = sub(all, 8 * (n - keep) + 1)
  stored = limit
  if keep <= S then
    if form == BIG and lost then expires, renew = now + 2 * win, true end -- else SET keeps the TTL
    form, raw, pos, rawEnd, na, dirty, appendable, firstAt = SMALL, all, 1, #all, 0, true, false, 0
  else
    toBig(all, keep)
  end
  return true
end

-- flush writes key's state if a decision changed it. A small value only
-- gains entries (APPEND) until it holds STALE entries that left the window,
-- or 32 in all, or its TTL is renewed; then it is rewritten (SET) with the
-- entries in the window alone.
local function flush()
  if not dirty then return end
  dirty = false
  if form == BIG and fCount + rCount + bCount + na <= S / 2 then -- a small value again
    local all = entries()
    if all then
      if lost then expires, renew = now + 2 * win, true end -- else SET keeps the TTL
      form, raw, pos, rawEnd, na, appendable = SMALL, all, 1, #all, 0, false
    end
  end
  if form == SMALL then
    if appendable and not renew and pos - SMETA <= 8 * STALE and rawEnd - SMETA + 8 * na <= 8 * S then
      redis.call('APPEND', key, packStamps(adds, na))
      return
    end
    local val
    if na == 1 then
      val = packSmall(stored, expires, sub(raw, pos, rawEnd), adds[1])
    else
      local live = sub(raw, pos, rawEnd)
      if na > 0 then live = live .. packStamps(adds, na) end
      val = packSmall(stored, expires, live)
    end
    if renew then
      redis.call('SET', key, val, 'PX', ttl)
    else
      redis.call('SET', key, val, 'KEEPTTL')
    end
    return
  end
  if lost then expires, renew = now + 2 * win, true end
  local live = sub(front, 8 * fFirst + 1, 8 * (fFirst + fCount)) .. back
  if na > 0 then live = live .. packStamps(adds, na) end
  local h = packBig(stored, fCount, bCount + na, rCount, newest, expires, live)
  if headerOut then
    redis.call('LPUSH', key, h)
  else
    redis.call('LSET', key, '0', h)
  end
  if renew then redis.call('PEXPIRE', key, ttl) end
end

-- decide makes the decision for the current key under limit and returns
-- allowed (0/1), remaining and reset. win and ttl are set.
local function decide(limit)
  now = clock
  if form == nil then loadBig() end -- missing, or not a string
  if not form then return fresh(limit) end

  local total
  if form == SMALL then
    total = (rawEnd - pos + 1) / 8 + na
  else
    total = fCount + rCount + bCount + na
  end
  if total > 0 and now < newest then now = newest end
  if stored ~= limit then -- the limit changed: keep the newest entries
    if not relimit(limit) then return fresh(limit) end
    total = min(total, limit)
  end
  local cutoff = now - win
  if total == 0 or newest <= cutoff then -- every entry left the window
    return fresh(limit)
  end

  -- Drop the entries that left the window. The entries of this call are
  -- at its time, the newest, inside any window, so the loops end.
  local oldest
  if form == SMALL then
    while pos <= rawEnd do
      local ts = pos == firstAt and first or stampAt(raw, pos)
      if ts > cutoff then
        oldest = ts
        break
      end
      pos, total = pos + 8, total - 1
    end
    oldest = oldest or adds[1]
  else
    while true do
      if fCount == 0 then
        if rCount > 0 then -- the first block becomes the front
          if not headerOut then
            redis.call('LPOP', key)
            headerOut, dirty = true, true
          end
          local block = redis.call('LPOP', key)
          if type(block) ~= 'string' or #block ~= 8 * BLOCK then return fresh(limit) end
          rCount = rCount - BLOCK
          if rCount == 0 then lost = true end
          front, fFirst, fCount = block, 0, BLOCK
        elseif bCount > 0 then
          front, fFirst, fCount, back, bCount = back, 0, bCount, '', 0
        elseif na > 0 then
          oldest = adds[1]
          break
        else
          return fresh(limit) -- newest disagrees with the entries: damaged
        end
      end
      local ts = stampAt(front, 8 * fFirst + 1)
      if ts > cutoff then
        oldest = ts
        break
      end
      fFirst, fCount, total = fFirst + 1, fCount - 1, total - 1
    end
  end

  if total >= limit then
    return 0, 0, oldest + win
  end

  if form == SMALL and total >= S then -- too many for a small value
    toBig(entries())
  end
  if form == BIG and bCount + na == BLOCK then -- the back is full: a block
    local block = back .. packStamps(adds, na)
    redis.call('RPUSH', key, block)
    rCount, back, bCount, na = rCount + BLOCK, '', 0, 0
  end
  na = na + 1
  adds[na], newest, dirty = now, now, true
  if now + win > expires then expires, renew = now + 2 * win, true end
  return 1, limit - total - 1, oldest + win
end

-- One MGET reads the values of the call's keys. The decisions on one key
-- come together (the caller sees to it), each run of them reading the
-- key's value once and writing it once.
local runs, nr = {}, 0
for i = 1, #KEYS do
  if KEYS[i] ~= KEYS[i - 1] then
    nr = nr + 1
    runs[nr] = KEYS[i]
  end
end
local values = redis.call('MGET', unpackTable(runs, 1, nr))

local out, n, k, r = { clock }, 1, 0, 0
for g = 1, #ARGV, 4 do
  local limit, window, tl = tonumber(ARGV[g]), tonumber(ARGV[g + 1]), ARGV[g + 2]
  for _ = 1, tonumber(ARGV[g + 3]) do
    k = k + 1
    local kk = KEYS[k]
    if kk ~= key then
      flush()
      r = r + 1
      load(kk, values[r])
    end
    win, ttl = window, tl
    local allowed, remaining, reset = decide(limit)
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
