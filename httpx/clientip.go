package httpx

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ForwardingHeader names the one request header whose client address is
// believed when the connection comes from a trusted proxy. The other
// forwarding headers are ignored, so a client cannot pick its address
// through a header the proxy does not set or overwrite.
type ForwardingHeader int

const (
	// HeaderXForwardedFor selects X-Forwarded-For, a comma-separated list
	// of addresses to which each proxy appends the address it received the
	// request from. It is the zero value.
	HeaderXForwardedFor ForwardingHeader = iota
	// HeaderXRealIP selects X-Real-IP, a single address set by the proxy.
	// When a request carries several X-Real-IP fields, the last one (the
	// one the nearest proxy added) is read.
	HeaderXRealIP
	// HeaderForwarded selects the RFC 7239 Forwarded header and reads the
	// "for" parameter of each of its elements.
	HeaderForwarded
)

// String returns the header's canonical name, for example "X-Real-IP".
func (h ForwardingHeader) String() string {
	switch h {
	case HeaderXForwardedFor:
		return "X-Forwarded-For"
	case HeaderXRealIP:
		return "X-Real-IP"
	case HeaderForwarded:
		return "Forwarded"
	}
	return fmt.Sprintf("ForwardingHeader(%d)", int(h))
}

// ParseForwardingHeader returns the ForwardingHeader named by name, one of
// "X-Forwarded-For", "X-Real-IP" or "Forwarded" in any letter case. An
// empty name means HeaderXForwardedFor.
func ParseForwardingHeader(name string) (ForwardingHeader, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return HeaderXForwardedFor, nil
	}
	for _, h := range []ForwardingHeader{HeaderXForwardedFor, HeaderXRealIP, HeaderForwarded} {
		if strings.EqualFold(name, h.String()) {
			return h, nil
		}
	}
	return 0, fmt.Errorf("forwarding header %q: want X-Forwarded-For, X-Real-IP or Forwarded", name)
}

// TrustedProxies is a set of networks whose forwarding header is believed,
// and the choice of that header. The zero value trusts nobody, so every
// forwarding header is ignored and the client IP is the connection's peer
// address.
type TrustedProxies struct {
	// Header is the forwarding header read from trusted proxies. Default:
	// HeaderXForwardedFor.
	Header ForwardingHeader

	prefixes []netip.Prefix
}

// ParseTrustedProxies parses a comma-separated list of CIDRs or single IPs,
// such as "10.0.0.0/8, 192.168.1.1", into a TrustedProxies that reads
// X-Forwarded-For. An empty string trusts nobody.
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
// point; only when the peer is a trusted proxy is the header named by
// tp.Header read, its hops right to left, and the first hop that is not
// itself trusted is the client. A client-supplied value therefore cannot
// change the result unless every hop after it is a trusted proxy.
//
// A hop may carry a port ("192.0.2.1:5555", "[2001:db8::1]:443") and IPv6
// addresses may be bracketed; ports and IPv6 zones are dropped. A hop that
// names no address (a Forwarded "unknown" or obfuscated identifier such as
// "_hidden", or anything malformed) ends the walk: the result is then the
// nearest trusted hop, since nothing says where the chain started.
func (tp TrustedProxies) Resolve(r *http.Request) netip.Addr {
	peer := peerAddr(r.RemoteAddr)
	if !peer.IsValid() || len(tp.prefixes) == 0 || !tp.Contains(peer) {
		return peer
	}
	hops := tp.Header.hops(r.Header)
	for i := len(hops) - 1; i >= 0; i-- {
		addr, ok := parseNode(hops[i])
		if !ok {
			return peer
		}
		if !tp.Contains(addr) {
			return addr
		}
		peer = addr
	}
	return peer
}

// ClientIP is middleware that resolves the client IP once per request with
// trusted (see TrustedProxies.Resolve) and stores it for ClientIPFromRequest.
func ClientIP(trusted TrustedProxies) Middleware {
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
