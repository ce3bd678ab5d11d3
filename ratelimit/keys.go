package ratelimit

import (
	"net/http"

	"github.com/groundwork-go/groundwork/httpx"
)

// KeyFunc returns the key a request is counted under, such as "ip:192.0.2.1".
// An empty key exempts the request from the limit.
type KeyFunc func(r *http.Request) string

// ByIP keys requests by client IP, as resolved by httpx.ClientIPFromRequest
// (forwarding headers count only from trusted proxies). IPv4 addresses are
// keyed whole and IPv6 addresses by their /64 network, since one host
// commonly holds a whole /64. A request without a parseable peer address is
// keyed "ip:unknown", shared by all such requests.
func ByIP(r *http.Request) string {
	addr := httpx.ClientIPFromRequest(r)
	switch {
	case !addr.IsValid():
		return "ip:unknown"
	case addr.Is6():
		p, _ := addr.Prefix(64)
		return "ip:" + p.String()
	}
	return "ip:" + addr.String()
}

// ByUser keys requests by the authenticated user's id, as reported by userID,
// and anonymous requests (userID returns ok false or an empty id) by IP as
// ByIP does. User and IP keys never collide.
func ByUser(userID func(r *http.Request) (id string, ok bool)) KeyFunc {
	return func(r *http.Request) string {
		if id, ok := userID(r); ok && id != "" {
			return "user:" + id
		}
		return ByIP(r)
	}
}
