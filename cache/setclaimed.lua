-- Stores a loaded value only while the key still holds the loader's claim:
-- any write, delete or expiry since the claim makes this a no-op.
-- KEYS[1]: value key. ARGV[1]: claim. ARGV[2]: value. ARGV[3]: TTL, ms.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
