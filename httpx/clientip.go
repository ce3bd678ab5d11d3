package httpx

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// TrustedProxies is a set of networks whose forwarding headers are believed.
// The zero value trusts nobody, so X-Forwarded-For and X-Real-IP are ignored
// and the client IP is the connection's peer address.
type TrustedProxies struct {
	prefixes []netip.Prefix
}

// ParseTrustedProxies parses a comma-separated list of CIDRs or single IPs,
// such as "10.0.0.0/8, 192.168.1.1". An empty string trusts nobody.
func ParseTrustedProxies(list string) (TrustedProxies, error) {
	var tp TrustedProxies
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if !strings.Contains(item, "/") {
			addr, err := netip.ParseAddr(item)
			if err != nil {
				return TrustedProxies{}, fmt.Errorf("trusted proxy %q: %w", item, err)
			}
			tp.prefixes = append(tp.prefixes, netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(item)
		if err != nil {
			return TrustedProxies{}, fmt.Errorf("trusted proxy %q: %w", item, err)
		}
		tp.prefixes = append(tp.prefixes, p.Masked())
	}
	return tp, nil
}

// Contains reports whether addr belongs to a trusted network.
func (tp TrustedProxies) Contains(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, p := range tp.prefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// Resolve returns the client IP of r. The peer address is the starting
// point; only when the peer is a trusted proxy are the forwarding headers
// read, right to left, and the first hop that is not itself trusted is the
// client. A client-supplied X-Forwarded-For therefore cannot change the
// result unless every hop after it is a trusted proxy.
func (tp TrustedProxies) Resolve(r *http.Request) netip.Addr {
	peer := peerAddr(r.RemoteAddr)
	if !peer.IsValid() || len(tp.prefixes) == 0 || !tp.Contains(peer) {
		return peer
	}
	hops := forwardedHops(r.Header.Values("X-Forwarded-For"))
	for i := len(hops) - 1; i >= 0; i-- {
		addr, err := netip.ParseAddr(hops[i])
		if err != nil {
			// A malformed hop cannot be trusted to say where the chain started.
			return peer
		}
		addr = addr.Unmap()
		if !tp.Contains(addr) {
			return addr
		}
		peer = addr
	}
	if len(hops) == 0 {
		if real, err := netip.ParseAddr(strings.TrimSpace(r.Header.Get("X-Real-IP"))); err == nil {
			return real.Unmap()
		}
	}
	return peer
}

// ClientIP is middleware that resolves the client IP once per request with
// trusted (see TrustedProxies.Resolve) and stores it for ClientIPFromRequest.
func ClientIP(trusted TrustedProxies) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			st, r := editState(r, func(st *requestState) bool { return st.hasClientIP })
			st.clientIP, st.hasClientIP = trusted.Resolve(r), true
			next.ServeHTTP(w, r)
		})
	}
}

// ClientIPFromRequest returns the client IP stored by the ClientIP
// middleware, or, without it, the connection's peer address (forwarding
// headers are never trusted by default). It returns the invalid Addr when
// RemoteAddr cannot be parsed.
func ClientIPFromRequest(r *http.Request) netip.Addr {
	if st := stateFrom(r.Context()); st != nil && st.hasClientIP {
		return st.clientIP
	}
	return peerAddr(r.RemoteAddr)
}

func peerAddr(remote string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return addr.Unmap()
}

func forwardedHops(values []string) []string {
	var hops []string
	for _, v := range values {
		for _, h := range strings.Split(v, ",") {
			if h = strings.TrimSpace(h); h != "" {
				hops = append(hops, h)
			}
		}
	}
	return hops
}
