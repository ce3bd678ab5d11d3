// Package cache is cache-aside caching on Redis with server-assisted
// client-side caching, plus an in-memory store for single-process use.
//
// Store is the small byte-level interface (get, set with TTL and tags,
// delete by key, tag or prefix, and the claim a load stores over).
// RedisStore implements it on the application's shared rueidis client;
// MemoryStore in process memory. Both pass the cachetest conformance suite. Typed adds values of one Go type
// (JSON by default, through a pluggable Codec) and GetOrLoad:
//
//	store := cache.NewRedisStore(redisClient, cache.RedisOptions{})
//	users := cache.NewTyped[User](store, cache.TypedOptions{
//		Name:        "users",
//		TTL:         5 * time.Minute,
//		NotFound:    ErrUserNotFound,
//		NegativeTTL: 30 * time.Second,
//	})
//	u, err := users.GetOrLoad(ctx, "user:"+id, func(ctx context.Context) (User, error) {
//		return db.UserByID(ctx, id)
//	})
//	// after an update:
//	users.Delete(ctx, "user:"+id)
//
// # Reads and invalidation
//
// RedisStore reads with rueidis DoCache: a hot key is answered from
// process memory without a round trip, and Redis, which tracks the keys
// each client cached, pushes an invalidation to every process when the key
// is written, deleted or expires. Writes made through
// a RedisStore are visible to its own reads immediately (it asks Redis
// itself until the invalidation of its write has arrived). Other processes
// see a write once Redis's invalidation reaches them, one network hop
// after the write. RedisOptions.ClientTTL bounds any staleness should an
// invalidation be lost. With a client made with DisableCache every read is
// a round trip.
//
// # Loads and invalidation
//
// GetOrLoad is coherent with invalidation across every process sharing the
// store. Before loading, it claims the key (Store.Claim leaves a unique
// token in the key's place, or returns the one a concurrent loader left);
// after loading, it stores the result only if the key still holds that
// claim, checked atomically by the store (SetClaimed). Set, Delete,
// DeleteTag and DeletePrefix all replace or remove the claim, so a load
// that started before one of them never stores its older result after it.
// Concurrent callers share a load only when they got the same claim, so a
// GetOrLoad that starts after an invalidation returned claims afresh and
// never joins a load that started before it. A claim lives a little
// longer than TypedOptions.LoadTimeout; a load that outlives it returns its
// result to its callers but stores nothing.
//
// # Keys, tags and Cluster
//
// Keys are prefixed with RedisOptions.Prefix (default "cache:"): values
// under "cache:v:", tag sets under "cache:t:", load locks under "cache:l:".
// No command touches two keys, so everything works on a Redis Cluster
// without hash tags: a tag is a set of value keys (SADD with an expiry at
// least as long as its members'), and DeleteTag pops members in batches and
// deletes each key with its own DEL, pipelined. DeletePrefix uses SCAN on
// every node, never KEYS; it costs a walk of the whole keyspace, so prefer
// tags for frequent invalidation.
//
// # Failures
//
// GetOrLoad never fails because of the cache: if Redis is down or a value
// cannot be decoded, the failure is logged, reported as EventBackendError
// and the loader answers. Each Redis operation is bounded by
// RedisOptions.Timeout, and after a connection failure the store fails
// fast (ErrUnavailable) for RedisOptions.Cooldown before trying again, so
// an outage costs one timeout per cooldown rather than one per request.
//
// # Metrics
//
// TypedOptions.OnEvent receives every hit, miss, load, load error and
// backend error, so a metrics package can count them without this package
// importing one.
package cache
