package appstore

import (
	"net/http"
	"strconv"
	"time"
)

// unixMillisThreshold separates a Retry-After in seconds from one in Unix
// milliseconds: no sane delay is 10^11 seconds.
const unixMillisThreshold = 100_000_000_000

// parseRetryAfter reads a Retry-After header. Apple documents it as a Unix
// time in milliseconds; RFC 9110 allows delay-seconds or an HTTP date. All
// three are accepted. The result is never negative; zero means absent.
func parseRetryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseInt(h, 10, 64); err == nil {
		if n >= unixMillisThreshold {
			d = time.UnixMilli(n).Sub(now)
		} else {
			d = time.Duration(n) * time.Second
		}
	} else if t, err := http.ParseTime(h); err == nil {
		d = t.Sub(now)
	}
	return max(d, 0)
}
