// Package testenv gives tests the backing services they need, isolated per
// test, over real connections.
//
// With REDIS_URL set, Redis returns clients of that server and a unique key
// prefix whose keys are deleted when the test ends; otherwise it starts an
// in-process miniredis (clients use rueidis DisableCache, since miniredis has
// no client tracking). With DATABASE_URL set to a PostgreSQL URL, DB gives each
// test a fresh schema that is dropped afterwards; otherwise a temporary SQLite
// file. REDIS_CLUSTER_URL, when set, enables RedisCluster.
//
// So `go test ./...` passes on a machine with only Go, and CI exercises the
// real servers.
package testenv
