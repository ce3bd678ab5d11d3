package httpcache

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
)

// strongETag derives an entity tag from the body.
func strongETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
}

// noneMatch reports whether the request's If-None-Match matches etag,
// using the weak comparison RFC 9110 prescribes for If-None-Match.
func noneMatch(r *http.Request, etag string) bool {
	if etag == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, line := range r.Header.Values("If-None-Match") {
		for tag := range strings.SplitSeq(line, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || strings.TrimPrefix(tag, "W/") == want {
				return true
			}
		}
	}
	return false
}
