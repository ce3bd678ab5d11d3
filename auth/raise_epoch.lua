-- Raises a subject's minimum credential epoch, never lowering it.
-- KEYS[1] epoch key; ARGV[1] epoch; ARGV[2] keep (milliseconds, relative,
-- so only Redis's clock decides expiry). Needs nothing newer than Redis 2.6.
local epoch = tonumber(ARGV[1])
local keep = tonumber(ARGV[2])
local cur = redis.call('GET', KEYS[1])
if cur and tonumber(cur) >= epoch then
  if redis.call('PTTL', KEYS[1]) < keep then
    redis.call('PEXPIRE', KEYS[1], keep)
  end
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', keep)
return 1
