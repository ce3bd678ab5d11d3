package httpcache

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
)

// entry is what the middleware stores: either a response, or (when Vary
// is set) a pointer saying which request headers select the variant.
type entry struct {
	Vary   []string    `json:"vary,omitempty"`
	Header http.Header `json:"header,omitempty"`
	Body   []byte      `json:"body,omitempty"`
	ETag   string      `json:"etag,omitempty"`
	Stored int64       `json:"stored,omitempty"` // Unix seconds
}

// baseKey is the cache key of a request before Vary: the path stays
// readable (so DeletePrefix(prefix+"/things") invalidates a subtree), the
// query is hashed so that secrets in it never appear in key listings.
// HEAD requests share the GET entry.
func baseKey(prefix string, r *http.Request) string {
	q := r.URL.Query().Encode() // sorted, so parameter order does not matter
	return prefix + r.URL.EscapedPath() + "?" + digest(q)
}

// variantKey extends base with the values of the Vary headers.
func variantKey(base string, vary []string, r *http.Request) string {
	var b strings.Builder
	for _, name := range vary {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(strings.Join(r.Header.Values(name), ","))
		b.WriteByte('\n')
	}
	return base + "|" + digest(b.String())
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:12])
}

// parseVary returns the canonical, sorted header names of every Vary line,
// and whether one of them is "*" (the response varies on things a cache
// cannot see).
func parseVary(h http.Header) (names []string, star bool) {
	for _, line := range h.Values("Vary") {
		for name := range strings.SplitSeq(line, ",") {
			name = strings.TrimSpace(name)
			switch name {
			case "":
			case "*":
				star = true
			default:
				names = append(names, http.CanonicalHeaderKey(name))
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names), star
}

// hopByHop headers describe one connection and are never stored.
var hopByHop = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding",
	"Upgrade", "Trailer", "Te", "Date", "Age", "Content-Length", "X-Cache"}

// storableHeader returns a copy of h without hop-by-hop headers.
func storableHeader(h http.Header) http.Header {
	c := h.Clone()
	for _, name := range hopByHop {
		c.Del(name)
	}
	return c
}
