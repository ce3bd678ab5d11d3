// Package redisconn builds the one rueidis client a Groundwork process shares
// from a REDIS_URL-style string.
//
// Supported forms:
//
//	redis://[user:pass@]host:port[/db]          standalone (cluster is auto-detected)
//	rediss://...                                 TLS
//	redis+cluster://host1:7001?addr=host2:7002   Redis Cluster seed addresses
//	redis://host:26379?master_set=mymaster       Sentinel
//	redis://host:6379?client_cache=0             disable client-side caching
package redisconn

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/rueidis"
)

// Options builds rueidis client options from rawURL with Groundwork's defaults:
// bounded dial and write timeouts so a dead server fails fast.
func Options(rawURL string) (rueidis.ClientOption, error) {
	u := rawURL
	for _, scheme := range []string{"redis+cluster://", "rediss+cluster://"} {
		if strings.HasPrefix(u, scheme) {
			u = strings.Replace(u, "+cluster", "", 1)
		}
	}
	opt, err := rueidis.ParseURL(u)
	if err != nil {
		return opt, fmt.Errorf("redisconn: %w", err)
	}
	if opt.Dialer.Timeout == 0 {
		opt.Dialer.Timeout = 2 * time.Second
	}
	if opt.ConnWriteTimeout == 0 {
		opt.ConnWriteTimeout = 2 * time.Second
	}
	return opt, nil
}

// Open connects a rueidis client to rawURL.
func Open(rawURL string) (rueidis.Client, error) {
	opt, err := Options(rawURL)
	if err != nil {
		return nil, err
	}
	return connect(opt)
}

// OpenUncached connects a client without client-side caching, for one job
// whose commands never read through the cache (rate-limit decisions), so
// that its traffic does not queue behind, or ahead of, the main client's.
func OpenUncached(rawURL string) (rueidis.Client, error) {
	opt, err := Options(rawURL)
	if err != nil {
		return nil, err
	}
	opt.DisableCache = true
	return connect(opt)
}

func connect(opt rueidis.ClientOption) (rueidis.Client, error) {
	c, err := rueidis.NewClient(opt)
	if err != nil {
		return nil, fmt.Errorf("redisconn: connect: %w", err)
	}
	return c, nil
}

// MinVersion is the oldest Redis Groundwork supports: 6.0, the first with
// RESP3 and client tracking (client-side caching of revocation checks and
// the cache). Every command and script Groundwork sends exists in 6.0.
const MinVersion = "6.0.0"

// CheckVersion asks the server for its version (INFO server) and returns
// an error naming it when it is older than MinVersion. A server that does
// not report a version (a proxy, a compatible store, miniredis) passes.
func CheckVersion(ctx context.Context, client rueidis.Client) error {
	info, err := client.Do(ctx, client.B().Info().Section("server").Build()).ToString()
	if _, isReply := rueidis.IsRedisErr(err); isReply {
		return nil // answers, but not INFO server: an in-process or compatible server
	}
	if err != nil {
		return fmt.Errorf("redis: read server version: %w", err)
	}
	version, ok := infoField(info, "redis_version")
	if !ok {
		return nil
	}
	if olderThan(version, MinVersion) {
		return fmt.Errorf("redis: server version %s is older than %s, the oldest Groundwork supports", version, MinVersion)
	}
	return nil
}

// infoField returns the value of field in the text of an INFO reply.
func infoField(info, field string) (string, bool) {
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), field+":"); ok {
			return v, true
		}
	}
	return "", false
}

// olderThan compares dotted version numbers ("6.2.14" < "7.0.0"); parts
// that are not numbers count as 0.
func olderThan(version, min string) bool {
	a, b := strings.Split(version, "."), strings.Split(min, ".")
	for i := range max(len(a), len(b)) {
		var x, y int
		if i < len(a) {
			x, _ = strconv.Atoi(a[i])
		}
		if i < len(b) {
			y, _ = strconv.Atoi(b[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}
