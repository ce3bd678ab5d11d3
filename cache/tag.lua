-- Adds a member to a tag set and makes sure the set lives at least as long
-- as the member's value. KEYS[1]: tag set. ARGV[1]: member (a value's Redis
-- key). ARGV[2]: the value's TTL in milliseconds.
redis.call('SADD', KEYS[1], ARGV[1])
local ttl = tonumber(ARGV[2])
if redis.call('PTTL', KEYS[1]) < ttl then
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return 1
