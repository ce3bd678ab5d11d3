package httpcache

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// directives is a parsed Cache-Control header: lower-case directive names
// mapped to their (unquoted) arguments.
type directives map[string]string

// parseCacheControl parses every Cache-Control line of h.
func parseCacheControl(h http.Header) directives {
	lines := h.Values("Cache-Control")
	if len(lines) == 0 {
		return nil
	}
	d := make(directives)
	for _, line := range lines {
		for part := range strings.SplitSeq(line, ",") {
			name, arg, _ := strings.Cut(strings.TrimSpace(part), "=")
			if name == "" {
				continue
			}
			d[strings.ToLower(name)] = strings.Trim(strings.TrimSpace(arg), `"`)
		}
	}
	return d
}

func (d directives) has(name string) bool {
	_, ok := d[name]
	return ok
}

// seconds returns the delta-seconds argument of name, if present and valid.
func (d directives) seconds(name string) (time.Duration, bool) {
	arg, ok := d[name]
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return time.Duration(n) * time.Second, true
}

// requestPolicy is what a request's Cache-Control allows.
type requestPolicy struct {
	bypass bool          // no-store: neither serve from nor write to the cache
	reload bool          // no-cache or max-age=0: do not serve a stored response
	maxAge time.Duration // serve only responses at most this old; <0: any
}

func parseRequestPolicy(r *http.Request) requestPolicy {
	d := parseCacheControl(r.Header)
	p := requestPolicy{maxAge: -1}
	if d == nil {
		// HTTP/1.0 clients.
		p.reload = strings.EqualFold(r.Header.Get("Pragma"), "no-cache")
		return p
	}
	p.bypass = d.has("no-store")
	p.reload = d.has("no-cache")
	if age, ok := d.seconds("max-age"); ok {
		p.maxAge = age
		p.reload = p.reload || age == 0
	}
	return p
}

// responseTTL returns how long a response with header h may be stored
// (zero: not at all). s-maxage wins over max-age (this is a shared cache);
// without either, def applies; the result is capped at limit.
func responseTTL(h http.Header, def, limit time.Duration) time.Duration {
	d := parseCacheControl(h)
	if d.has("no-store") || d.has("private") || d.has("no-cache") {
		return 0
	}
	ttl := def
	if age, ok := d.seconds("s-maxage"); ok {
		ttl = age
	} else if age, ok := d.seconds("max-age"); ok {
		ttl = age
	}
	return min(ttl, limit)
}
