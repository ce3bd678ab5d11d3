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
	"fmt"
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
