-- Sliding-window-log decision for one key (slidinglog.go is the same
-- algorithm in Go, and ratelimittest checks both against a reference model).
-- KEYS[1]  the key
-- ARGV[1]  limit (requests)
-- ARGV[2]  window (microseconds)
-- ARGV[3]  window in milliseconds, rounded up: the key's TTL after a write
-- Returns {allowed (0/1), remaining, reset (µs), now (µs)}.
--
-- The value is a string: a 12-byte header (limit, count, head as big-endian
-- uint32) followed by slots of 8-byte big-endian microsecond timestamps. The
-- count entries starting at slot head (wrapping) are the last allowed
-- requests, oldest first; since denied requests are never recorded, the last
-- limit of them decide exactly. Slots grow geometrically up to limit, then
-- form a ring. A decision is three commands: TIME, GET and, when allowed, one
-- SET ... PX of the updated string. The clock is Redis TIME, never allowed to
-- go back behind the newest entry.
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local ttl = ARGV[3]
local HDR = 12
local byte, char, sub = string.byte, string.char, string.sub

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])

local s = redis.call('GET', key)
local n, head, cap, stored = 0, 0, 0, limit
if s then
  local len = #s
  cap = (len - HDR) / 8
  local ok = len >= HDR and cap % 1 == 0
  if ok then
    local a1, a2, a3, a4, b1, b2, b3, b4, c1, c2, c3, c4 = byte(s, 1, 12)
    stored = ((a1 * 256 + a2) * 256 + a3) * 256 + a4
    n = ((b1 * 256 + b2) * 256 + b3) * 256 + b4
    head = ((c1 * 256 + c2) * 256 + c3) * 256 + c4
    ok = n <= cap and (head == 0 or (n == cap and head < cap))
  end
  if not ok then -- not ours or damaged: start afresh
    s, n, head, cap, stored = nil, 0, 0, 0, limit
  end
end

-- at returns the i-th oldest entry (0-based).
local function at(i)
  local j = head + i
  if j >= cap then j = j - cap end
  local p = HDR + j * 8 + 1
  local a, b, c, d, e, f, g, h = byte(s, p, p + 7)
  return ((((((a * 256 + b) * 256 + c) * 256 + d) * 256 + e) * 256 + f) * 256 + g) * 256 + h
end

-- p32 and p64 pack big-endian unsigned integers (below 2^53, so exact in a
-- double) with plain arithmetic, which is cheaper than math.floor calls.
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
  local hi = (x - lo) / 4294967296
  local l4 = lo % 256
  lo = (lo - l4) / 256
  local l3 = lo % 256
  lo = (lo - l3) / 256
  local l2 = lo % 256
  local h4 = hi % 256
  hi = (hi - h4) / 256
  local h3 = hi % 256
  hi = (hi - h3) / 256
  local h2 = hi % 256
  return char((hi - h2) / 256, h2, h3, h4, (lo - l2) / 256, l2, l3, l4)
end

-- entries returns the raw slots of entries from..n-1, oldest first.
local function entries(from)
  local count = n - from
  if count <= 0 then return '' end
  local a = (head + from) % cap
  local first = math.min(count, cap - a)
  local out = sub(s, HDR + a * 8 + 1, HDR + (a + first) * 8)
  if first < count then out = out .. sub(s, HDR + 1, HDR + (count - first) * 8) end
  return out
end

if stored ~= limit then -- the limit changed: keep the newest entries
  local keep = math.min(n, limit)
  s = p32(limit) .. p32(keep) .. p32(0) .. entries(n - keep)
  redis.call('SET', key, s, 'KEEPTTL')
  n, head, cap = keep, 0, keep
end

local newest = 0
if n > 0 then
  newest = at(n - 1)
  if now < newest then now = newest end
end

-- Find lo, the oldest entry still in the window: usually all or none of
-- them are, else binary search.
local cutoff = now - window
local lo = 0
if n > 0 and at(0) <= cutoff then
  if newest <= cutoff then
    lo = n
  else
    local hi = n
    lo = 1
    while lo < hi do
      local mid = lo + hi
      mid = (mid - mid % 2) / 2
      if at(mid) > cutoff then hi = mid else lo = mid + 1 end
    end
  end
end
local inw = n - lo

if inw >= limit then
  return {0, 0, at(lo) + window, now}
end
local oldest = now
if inw > 0 then oldest = at(lo) end

if n < cap then -- append into free slots (head is 0)
  local p = HDR + n * 8
  redis.call('SET', key, sub(s, 1, 4) .. p32(n + 1) .. sub(s, 9, p) .. p64(now) .. sub(s, p + 9), 'PX', ttl)
elseif n < limit then -- grow, dropping the entries that left the window
  local newcap = math.min(limit, math.max(4, 2 * (inw + 1)))
  redis.call('SET', key, p32(limit) .. p32(inw + 1) .. p32(0) .. entries(lo) .. p64(now) ..
    string.rep('\0', (newcap - inw - 1) * 8), 'PX', ttl)
else -- a full ring: the oldest entry has left the window
  local p = HDR + head * 8
  redis.call('SET', key, sub(s, 1, 8) .. p32((head + 1) % n) .. sub(s, HDR + 1, p) .. p64(now) .. sub(s, p + 9), 'PX', ttl)
end
return {1, limit - inw - 1, oldest + window, now}
