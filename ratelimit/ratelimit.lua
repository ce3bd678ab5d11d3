-- Sliding-window-log decisions (slidinglog.go is the same algorithm in Go,
-- and ratelimittest checks both against a reference model), one per key, in
-- order; a key may appear more than once. For the i-th key:
-- KEYS[i]      the key
-- ARGV[3i-2]   limit (requests)
-- ARGV[3i-1]   window (microseconds)
-- ARGV[3i]     window in milliseconds, rounded up
-- Returns {allowed (0/1), remaining, reset (µs), now (µs)} for each key,
-- flattened.
--
-- The value is a string: a 36-byte header, then cap slots of 8-byte
-- big-endian microsecond timestamps forming a ring. Header (big-endian):
--   0  "GWr2"   layout tag
--   4  limit    the limit the ring was built for (u32)
--   8  count    entries in the ring (u32)
--  12  head     slot of the oldest entry (u32)
--  16  cap      slots (u32)
--  20  newest   the newest entry (u64)
--  28  expires  when the key's TTL ends, µs (u64)
-- The count entries from slot head (wrapping) are the last allowed requests,
-- oldest first; since denied requests are never recorded, the last limit of
-- them decide exactly. A decision reads the header and the first slots with
-- one GETRANGE, drops the entries that left the window by moving head, and
-- records an allowed request by writing its slot and the header in place
-- (SETRANGE): its cost does not grow with the number of entries. The TTL is
-- set to two windows and renewed only once less than one window is left, so
-- a key lives one to two windows after its last allowed request. Only when
-- the ring is full below limit is the value rebuilt, with twice the slots
-- (up to limit), so rebuilding costs O(1) per request over time. The clock is Redis TIME, never allowed to go back behind the newest
-- entry.
local TAG, HDR, FIRST = 'GWr2', 36, 32 -- FIRST: slots read with the header
local byte, char, sub, rep, min = string.byte, string.char, string.sub, string.rep, math.min

local t = redis.call('TIME')
local clock = tonumber(t[1]) * 1000000 + tonumber(t[2])

-- The decision being made: its key and policy, its time, the first read of
-- its value (header and first slots) and the ring's geometry. The functions
-- below share these instead of being created anew for every decision.
local key, limit, window, ttl, now, s, head, cap, expires

-- The value's integers are big-endian and below 2^53, so exact in a double.
-- Redis bundles the struct library, whose C functions read or write a whole
-- header in one call; where it is missing (miniredis, in tests) the same
-- four functions are plain Lua.
--   readHeader(s)        tag, limit, count, head, cap, newest, expires
--   packHeader(...)      the 36-byte header for limit … expires
--   packCounters(...)    its last 28 bytes, count … expires (offset 8)
--   packStamp(x), stampAt(s, p)   one 8-byte timestamp, written or read at p
local readHeader, packHeader, packCounters, packStamp, stampAt
local struct = rawget(_G, 'struct') -- reading a missing global is an error
if struct then
  local pack, unpack = struct.pack, struct.unpack
  readHeader = function(s) return unpack('>c4I4I4I4I4i8i8', s) end
  packHeader = function(limit, count, head, cap, newest, expires)
    return pack('>c4I4I4I4I4i8i8', TAG, limit, count, head, cap, newest, expires)
  end
  packCounters = function(count, head, cap, newest, expires)
    return pack('>I4I4I4i8i8', count, head, cap, newest, expires)
  end
  packStamp = function(x) return pack('>i8', x) end
  stampAt = function(s, p) return (unpack('>i8', s, p)) end
else
  local function u32(s, p)
    local a, b, c, d = byte(s, p, p + 3)
    return ((a * 256 + b) * 256 + c) * 256 + d
  end
  local function u64(s, p)
    local a, b, c, d, e, f, g, h = byte(s, p, p + 7)
    return ((((((a * 256 + b) * 256 + c) * 256 + d) * 256 + e) * 256 + f) * 256 + g) * 256 + h
  end
  -- Plain arithmetic is cheaper than math.floor calls.
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
  readHeader = function(s)
    return sub(s, 1, 4), u32(s, 5), u32(s, 9), u32(s, 13), u32(s, 17), u64(s, 21), u64(s, 29)
  end
  packCounters = function(count, head, cap, newest, expires)
    return p32(count) .. p32(head) .. p32(cap) .. p64(newest) .. p64(expires)
  end
  packHeader = function(limit, count, head, cap, newest, expires)
    return TAG .. p32(limit) .. packCounters(count, head, cap, newest, expires)
  end
  packStamp = p64
  stampAt = u64
end

-- replace writes a new value holding count raw entries (oldest first) in a
-- ring of cap slots, with head 0. With keepExpires (the key's current
-- expiry) the key keeps its TTL; else it gets two windows.
local function replace(entries, count, cap, newest, keepExpires)
  local v = packHeader(limit, count, 0, cap, newest, keepExpires or now + 2 * window) ..
    entries .. rep('\0', (cap - count) * 8)
  if keepExpires then
    redis.call('SET', key, v, 'KEEPTTL')
  else
    redis.call('SET', key, v, 'PX', 2 * ttl)
  end
  return v
end

-- fresh starts the key over with this request as its only entry.
local function fresh()
  replace(packStamp(now), 1, min(limit, 4), now)
  return 1, limit - 1, now + window, now
end

-- raw returns the raw slots of the count entries starting at entry from of
-- a whole value v, oldest first.
local function raw(v, from, n)
  local a = (head + from) % cap
  local first = min(n, cap - a)
  local out = sub(v, HDR + a * 8 + 1, HDR + (a + first) * 8)
  if first < n then out = out .. sub(v, HDR + 1, HDR + (n - first) * 8) end
  return out
end

-- whole reads the entire value, or returns nil if its length is wrong.
local function whole()
  local v = redis.call('GET', key)
  if type(v) ~= 'string' or #v ~= HDR + 8 * cap then return nil end
  return v
end

-- slot returns the timestamp in slot j; past the first read it reads a
-- chunk of slots: 4 at first (a decision usually drops one entry and looks
-- at the next), then twice as many each time, up to FIRST. It returns nil
-- when the value is shorter than its header says.
local chunkStart, chunkEnd, chunk, chunkSize
local function slot(j)
  if j < FIRST then return stampAt(s, HDR + 8 * j + 1) end
  if j < chunkStart or j >= chunkEnd then
    local last = min(j + chunkSize, cap)
    chunk = redis.call('GETRANGE', key, HDR + 8 * j, HDR + 8 * last - 1)
    if #chunk ~= 8 * (last - j) then return nil end
    chunkStart, chunkEnd, chunkSize = j, last, min(2 * chunkSize, FIRST)
  end
  return stampAt(chunk, 8 * (j - chunkStart) + 1)
end

-- decide makes the decision for key k under limit lim, window win (µs) and
-- TTL tl (ms, a string) and returns its four results.
local function decide(k, lim, win, tl)
  key, limit, window, ttl, now = k, lim, win, tl, clock
  s = redis.call('GETRANGE', key, 0, HDR + 8 * FIRST - 1)
  if #s < HDR then -- absent
    return fresh()
  end
  local tag, stored, count, newest
  tag, stored, count, head, cap, newest, expires = readHeader(s)
  if tag ~= TAG then -- not ours
    return fresh()
  end
  if cap < 1 or count > cap or head >= cap or #s ~= HDR + 8 * min(cap, FIRST) then -- damaged
    return fresh()
  end

  if stored ~= limit then -- the limit changed: keep the newest entries
    local v = whole()
    if not v then return fresh() end
    local keep = min(count, limit)
    local newcap = math.max(keep, min(limit, 4))
    s = sub(replace(raw(v, count - keep, keep), keep, newcap, newest, expires), 1, HDR + 8 * FIRST)
    count, head, cap = keep, 0, newcap
  end

  chunkStart, chunkEnd, chunk, chunkSize = 0, 0, '', 4
  if count > 0 and now < newest then now = newest end
  local cutoff = now - window

  -- Drop the entries that left the window: all of them when the newest has,
  -- else from the front (each entry is dropped once, so this is O(1) per
  -- request over time).
  local dropped, oldest = count, now
  if count > 0 and newest > cutoff then
    dropped = 0
    while true do
      local j = head + dropped
      if j >= cap then j = j - cap end
      local ts = slot(j)
      if not ts then return fresh() end
      if ts > cutoff then
        oldest = ts
        break
      end
      dropped = dropped + 1
    end
  end
  local inw = count - dropped

  if inw >= limit then
    return 0, 0, oldest + window, now
  end
  if inw == 0 then
    return fresh()
  end

  local start = head + dropped
  if start >= cap then start = start - cap end
  if inw < cap then -- room in the ring: write the slot and the header in place
    local j = start + inw
    if j >= cap then j = j - cap end
    -- The header from count on.
    local renew = now + window > expires
    if renew then expires = now + 2 * window end
    local counters, stamp = packCounters(inw + 1, start, cap, now, expires), packStamp(now)
    if j < FIRST then -- one write: the header, the first slots as read, the new one
      redis.call('SETRANGE', key, 8, counters .. sub(s, HDR + 1, HDR + 8 * j) .. stamp)
    else
      redis.call('SETRANGE', key, HDR + 8 * j, stamp)
      redis.call('SETRANGE', key, 8, counters)
    end
    if renew then redis.call('PEXPIRE', key, 2 * ttl) end
  else -- the ring is full and below limit: rebuild it twice as large
    local v = whole()
    if not v then return fresh() end
    head = start
    replace(raw(v, 0, inw) .. packStamp(now), inw + 1, min(limit, 2 * cap), now)
  end
  return 1, limit - inw - 1, oldest + window, now
end

local out = {}
for i = 1, #KEYS do
  local a, r, reset, at = decide(KEYS[i], tonumber(ARGV[3 * i - 2]), tonumber(ARGV[3 * i - 1]), ARGV[3 * i])
  local n = #out
  out[n + 1], out[n + 2], out[n + 3], out[n + 4] = a, r, reset, at
end
return out
