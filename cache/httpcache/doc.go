// Package httpcache is middleware that caches GET and HEAD responses in a
// cache.Store, shared by every process using the same Redis.
//
// It stores 200 responses for Options.TTL (or the response's s-maxage /
// max-age, capped at MaxTTL), keyed by path, query (parameter order does
// not matter) and the request headers the response names in Vary. HEAD
// requests are answered from the GET entry. It honours Cache-Control: a
// request's no-store bypasses the cache, no-cache and max-age=0 reload it,
// max-age=N refuses older entries; a response's no-store, private or
// no-cache, a Set-Cookie, or Vary: * keep it out. Requests with an
// Authorization header bypass the cache unless the route sets
// AllowAuthorized. Every response it handles gets an ETag (the handler's,
// or a hash of the body), and If-None-Match is answered with 304.
//
// Mount it per route, inside authentication and rate limiting:
//
//	store := cache.NewRedisStore(redisClient, cache.RedisOptions{})
//	cached := httpcache.New(store, httpcache.Options{TTL: time.Hour})
//	mux.Handle("GET /openapi.json", cached(openAPIHandler))
//
// Invalidate with store.DeletePrefix("http:/openapi.json") or with tags
// (Options.Tags and store.DeleteTag).
package httpcache
