-- Prepares a load of one cache key. If the key holds a value, returns it.
-- Otherwise returns the claim the key holds, kept for at least the given
-- time, or leaves the new claim there and returns that. Values start with
-- "v", claims with "c"; anything else (an older format) counts as empty.
-- KEYS[1]: value key. ARGV[1]: new claim. ARGV[2]: claim lifetime, ms.
local cur = redis.call('GET', KEYS[1])
local mark = cur and string.sub(cur, 1, 1)
if mark == 'v' then
  return cur
end
local ttl = tonumber(ARGV[2])
if mark == 'c' then
  if redis.call('PTTL', KEYS[1]) < ttl then
    redis.call('PEXPIRE', KEYS[1], ttl)
  end
  return cur
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
return ARGV[1]
