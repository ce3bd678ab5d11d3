-- Sliding-window-log decision for one key (see slidinglog.go, which is the
-- same algorithm in Go).
-- KEYS[1]  the key
-- ARGV[1]  limit (requests)
-- ARGV[2]  window (microseconds)
-- Returns {allowed (0/1), remaining, reset (µs), now (µs)}.
--
-- The value is a string: a 12-byte header (limit, count, head as big-endian
-- uint32) followed by slots of 8-byte big-endian microsecond timestamps. The
-- first count slots, starting at head, are the last allowed requests, oldest
-- first. Slots grow geometrically up to limit, then the slots form a ring.
-- Only allowed requests are written, as single slots with SETRANGE.
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local HDR = 12

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])

local function u32(s, p)
  local a, b, c, d = string.byte(s, p, p + 3)
  return ((a * 256 + b) * 256 + c) * 256 + d
end

local function p32(n)
  return string.char(math.floor(n / 16777216) % 256, math.floor(n / 65536) % 256,
    math.floor(n / 256) % 256, n % 256)
end

local function p64(n)
  local b = {}
  for i = 8, 1, -1 do
    b[i] = n % 256
    n = (n - b[i]) / 256
  end
  return string.char(b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8])
end

local s = redis.call('GET', key)
local stored, n, head, cap = limit, 0, 0, 0
if s then
  local ok = #s >= HDR and (#s - HDR) % 8 == 0
  if ok then
    stored, n, head = u32(s, 1), u32(s, 5), u32(s, 9)
    cap = (#s - HDR) / 8
    ok = n <= cap and head < math.max(cap, 1) and (head == 0 or n == cap)
  end
  if not ok then -- not ours or damaged: start afresh
    s, stored, n, head, cap = nil, limit, 0, 0, 0
  end
end

-- at returns the i-th oldest entry (0-based).
local function at(i)
  local p = HDR + ((head + i) % cap) * 8 + 1
  local a, b, c, d, e, f, g, h = string.byte(s, p, p + 7)
  return ((((((a * 256 + b) * 256 + c) * 256 + d) * 256 + e) * 256 + f) * 256 + g) * 256 + h
end

local function entries(from)
  local parts = {}
  for i = from, n - 1 do
    parts[#parts + 1] = p64(at(i))
  end
  return table.concat(parts)
end

if s and stored ~= limit then -- the limit changed: keep the newest entries
  local keep = math.min(n, limit)
  s = p32(limit) .. p32(keep) .. p32(0) .. entries(n - keep)
  redis.call('SET', key, s, 'KEEPTTL')
  n, head, cap = keep, 0, keep
end

if n > 0 then
  local newest = at(n - 1)
  if now < newest then now = newest end
end

-- Binary search for the oldest entry still in the window.
local cutoff = now - window
local lo, hi = 0, n
while lo < hi do
  local mid = math.floor((lo + hi) / 2)
  if at(mid) > cutoff then hi = mid else lo = mid + 1 end
end
local first = lo
local inw = n - first

if inw >= limit then
  return {0, 0, at(first) + window, now}
end

local oldest = now
if inw > 0 then oldest = at(first) end

if n < limit and n < cap then
  redis.call('SETRANGE', key, HDR + n * 8, p64(now))
  redis.call('SETRANGE', key, 4, p32(n + 1))
elseif n < limit then -- grow, dropping entries that left the window
  local newcap = math.min(limit, math.max(4, 2 * (inw + 1)))
  redis.call('SET', key, p32(limit) .. p32(inw + 1) .. p32(0) .. entries(first) .. p64(now) ..
    string.rep('\0', (newcap - inw - 1) * 8))
else -- a full ring: the oldest entry has left the window
  redis.call('SETRANGE', key, HDR + head * 8, p64(now))
  redis.call('SETRANGE', key, 8, p32((head + 1) % n))
end
redis.call('PEXPIRE', key, math.ceil(window / 1000))
return {1, limit - inw - 1, oldest + window, now}
