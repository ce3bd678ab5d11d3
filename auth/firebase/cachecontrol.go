package firebase

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// cacheLifetime returns how long a response may be cached: its Cache-Control
// max-age minus its Age, or def when the response carries no max-age.
// no-store and no-cache yield zero (the keys are used for the current lookup
// only).
func cacheLifetime(h http.Header, def time.Duration) time.Duration {
	maxAge, ok := -1, false
	for _, directive := range strings.Split(h.Get("Cache-Control"), ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(directive), "=")
		switch strings.ToLower(name) {
		case "no-store", "no-cache":
			return 0
		case "max-age":
			n, err := strconv.Atoi(strings.Trim(value, `"`))
			if err == nil && n >= 0 {
				maxAge, ok = n, true
			}
		}
	}
	if !ok {
		return def
	}
	if age, err := strconv.Atoi(h.Get("Age")); err == nil && age > 0 {
		maxAge -= age
	}
	if maxAge < 0 {
		maxAge = 0
	}
	return time.Duration(maxAge) * time.Second
}
