-- Sets a subject's revocation cut-off, never moving it backwards.
-- KEYS[1] cut-off key; ARGV[1] cut-off (Unix microseconds);
-- ARGV[2] keep-until (Unix milliseconds, the key's absolute expiry).
local cur = redis.call('GET', KEYS[1])
if cur and tonumber(cur) >= tonumber(ARGV[1]) then
  local pttl = redis.call('PEXPIRETIME', KEYS[1])
  if pttl < tonumber(ARGV[2]) then
    redis.call('PEXPIREAT', KEYS[1], ARGV[2])
  end
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
return 1
