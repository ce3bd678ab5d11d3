package httpx

import (
	"net/http"
	"net/netip"
	"strings"
)

// hops returns the node of each hop that header h of hdr lists, from the
// client (left) to the nearest proxy (right). A hop that cannot be read is
// "", which parseNode rejects.
func (h ForwardingHeader) hops(hdr http.Header) []string {
	switch h {
	case HeaderXRealIP:
		values := hdr.Values("X-Real-IP")
		if len(values) == 0 {
			return nil
		}
		return []string{strings.TrimSpace(values[len(values)-1])}
	case HeaderForwarded:
		var hops []string
		for _, v := range hdr.Values("Forwarded") {
			hops = appendForwardedFor(hops, v)
		}
		return hops
	case HeaderXForwardedFor:
		var hops []string
		for _, v := range hdr.Values("X-Forwarded-For") {
			for _, hop := range strings.Split(v, ",") {
				if hop = strings.TrimSpace(hop); hop != "" {
					hops = append(hops, hop)
				}
			}
		}
		return hops
	}
	return nil
}

// appendForwardedFor appends the "for" node of each element of one
// Forwarded field value (RFC 7239 section 4):
//
//	Forwarded: for=192.0.2.60;proto=http;by=203.0.113.43, for="[2001:db8::17]:4711"
//
// An element without "for" appends "". A value that cannot be tokenised
// (an unterminated quoted string, a pair without "=") appends a single ""
// in place of all its elements, since where its elements end is unknown;
// the values of other Forwarded fields are unaffected.
func appendForwardedFor(hops []string, v string) []string {
	start := len(hops)
	var (
		node    string
		hasFor  bool
		inPairs bool // the element has at least one pair
	)
	endElement := func() {
		switch {
		case hasFor:
			hops = append(hops, node)
		case inPairs:
			hops = append(hops, "")
		}
		node, hasFor, inPairs = "", false, false
	}
	for i := 0; i < len(v); {
		switch c := v[i]; c {
		case ' ', '\t', ';':
			i++
			continue
		case ',':
			endElement()
			i++
			continue
		}
		eq := strings.IndexByte(v[i:], '=')
		if eq <= 0 {
			return append(hops[:start], "")
		}
		name := strings.TrimSpace(v[i : i+eq])
		if !isToken(name) {
			return append(hops[:start], "")
		}
		i += eq + 1
		value, n, ok := forwardedValue(v[i:])
		if !ok {
			return append(hops[:start], "")
		}
		i += n
		inPairs = true
		if strings.EqualFold(name, "for") {
			if hasFor {
				node = "" // two "for" in one element: ambiguous
			} else {
				node = value
			}
			hasFor = true
		}
	}
	endElement()
	return hops
}

// forwardedValue reads a token or quoted-string at the start of s and
// returns it unquoted, with the number of bytes read.
func forwardedValue(s string) (value string, n int, ok bool) {
	if s == "" || s[0] != '"' {
		end := strings.IndexAny(s, ";,")
		if end < 0 {
			end = len(s)
		}
		return strings.TrimSpace(s[:end]), end, true
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 == len(s) {
				return "", 0, false
			}
			i++
			b.WriteByte(s[i])
		case '"':
			return b.String(), i + 1, true
		default:
			b.WriteByte(s[i])
		}
	}
	return "", 0, false
}

// parseNode reads one hop: an IP address, optionally with a port
// ("192.0.2.1:5555"), an IPv6 address optionally bracketed and with a port
// ("[2001:db8::1]:443"), as X-Forwarded-For proxies and RFC 7239 nodes write
// them. Ports and zones are dropped; IPv4-mapped IPv6 becomes IPv4. It
// reports false for anything else, including "unknown" and obfuscated
// identifiers.
func parseNode(s string) (netip.Addr, bool) {
	host := s
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 || !validPort(s[end+1:], true) {
			return netip.Addr{}, false
		}
		host = s[1:end]
	} else if i := strings.IndexByte(s, ':'); i >= 0 && strings.LastIndexByte(s, ':') == i {
		// One colon: IPv4 with a port. Bare IPv6 has at least two.
		if !validPort(s[i:], false) {
			return netip.Addr{}, false
		}
		host = s[:i]
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || (strings.HasPrefix(s, "[") && !addr.Is6()) {
		return netip.Addr{}, false
	}
	return addr.WithZone("").Unmap(), true
}

// validPort reports whether s is ":" followed by a port (1 to 5 digits) or
// an RFC 7239 obfuscated port ("_" and letters, digits, ".", "_", "-"), or,
// when optional, empty.
func validPort(s string, optional bool) bool {
	if s == "" {
		return optional
	}
	if s[0] != ':' || len(s) < 2 {
		return false
	}
	p := s[1:]
	if p[0] == '_' {
		for _, c := range []byte(p[1:]) {
			if !isAlnum(c) && c != '.' && c != '_' && c != '-' {
				return false
			}
		}
		return len(p) > 1
	}
	if len(p) > 5 {
		return false
	}
	for _, c := range []byte(p) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// isToken reports whether s is an RFC 9110 token.
func isToken(s string) bool {
	for _, c := range []byte(s) {
		if !isAlnum(c) && !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return s != ""
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
