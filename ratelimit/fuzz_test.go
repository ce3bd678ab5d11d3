package ratelimit_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/ratelimit"
)

// keyThrough runs r through the ClientIP middleware with trusted and returns
// the key fn gives it, as the example server's stack does.
func keyThrough(trusted httpx.TrustedProxies, fn ratelimit.KeyFunc, r *http.Request) string {
	var key string
	httpx.ClientIP(trusted)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key = fn(r)
	})).ServeHTTP(httptest.NewRecorder(), r)
	return key
}

func fuzzRequest(remoteAddr, forwarded string) *http.Request {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = remoteAddr
	if forwarded != "" {
		r.Header["X-Forwarded-For"] = []string{forwarded}
		r.Header["X-Real-Ip"] = []string{forwarded}
	}
	return r
}

// checkIPKey fails unless key is "ip:unknown", "ip:" and a whole IPv4
// address, or "ip:" and a masked IPv6 /64.
func checkIPKey(t *testing.T, key string) {
	t.Helper()
	rest, ok := strings.CutPrefix(key, "ip:")
	if !ok {
		t.Fatalf("key %q: got no ip: prefix", key)
	}
	if rest == "unknown" {
		return
	}
	if a, err := netip.ParseAddr(rest); err == nil {
		if !a.Is4() {
			t.Fatalf("key %q: got a bare IPv6 address, want its /64", key)
		}
		return
	}
	p, err := netip.ParsePrefix(rest)
	if err != nil || !p.Addr().Is6() || p.Bits() != 64 || p.Masked() != p {
		t.Fatalf("key %q: got %v (%v), want a masked IPv6 /64", key, p, err)
	}
}

// FuzzByIP feeds arbitrary peer addresses and forwarding headers through
// ClientIP and ByIP: the key is always well formed, deterministic and
// short, and forwarding headers from an untrusted peer never change it
// (so spoofed X-Forwarded-For values cannot buy a fresh budget).
func FuzzByIP(f *testing.F) {
	trusted, err := httpx.ParseTrustedProxies("10.0.0.0/8, fd00::/8")
	if err != nil {
		f.Fatal(err)
	}
	f.Add("192.0.2.1:1234", "")
	f.Add("10.0.0.1:80", "198.51.100.7, 10.0.0.2")
	f.Add("[2001:db8::1]:443", "203.0.113.9")
	f.Add("[fd00::1]:443", "2001:db8:1:2:3:4:5:6")
	f.Add("[::ffff:192.0.2.1]:1", "")
	f.Add("not-an-address", "1.1.1.1")
	f.Add("10.0.0.1:80", "::ffff:10.0.0.1, garbage, [2001:db8::1]:80")
	f.Fuzz(func(t *testing.T, remoteAddr, forwarded string) {
		key := keyThrough(trusted, ratelimit.ByIP, fuzzRequest(remoteAddr, forwarded))
		checkIPKey(t, key)
		if len(key) > len("ip:")+len("ffff:ffff:ffff:ffff::/64")+8 {
			t.Fatalf("key %q: got %d bytes, want a bounded key", key, len(key))
		}
		if again := keyThrough(trusted, ratelimit.ByIP, fuzzRequest(remoteAddr, forwarded)); again != key {
			t.Fatalf("same request keyed %q then %q", key, again)
		}
		peer := keyThrough(trusted, ratelimit.ByIP, fuzzRequest(remoteAddr, ""))
		// Without the middleware, ClientIPFromRequest is the peer address.
		if !trusted.Contains(httpx.ClientIPFromRequest(fuzzRequest(remoteAddr, ""))) {
			if key != peer {
				t.Fatalf("untrusted peer %q with X-Forwarded-For %q keyed %q, want the peer's key %q", remoteAddr, forwarded, key, peer)
			}
		}
		if untrusted := keyThrough(httpx.TrustedProxies{}, ratelimit.ByIP, fuzzRequest(remoteAddr, forwarded)); untrusted != keyThrough(httpx.TrustedProxies{}, ratelimit.ByIP, fuzzRequest(remoteAddr, "")) {
			t.Fatalf("with no trusted proxies, X-Forwarded-For %q changed the key to %q", forwarded, untrusted)
		}
	})
}

// FuzzByUser checks that user keys are exactly "user:" and the id, that
// anonymous requests fall back to ByIP, and that the two never collide.
func FuzzByUser(f *testing.F) {
	f.Add("42", "192.0.2.1:1234")
	f.Add("", "192.0.2.1:1234")
	f.Add("ip:192.0.2.1", "[2001:db8::1]:1")
	f.Add("user:", "garbage")
	f.Fuzz(func(t *testing.T, id, remoteAddr string) {
		fn := ratelimit.ByUser(func(*http.Request) (string, bool) { return id, id != "" })
		key := keyThrough(httpx.TrustedProxies{}, fn, fuzzRequest(remoteAddr, ""))
		if id == "" {
			if want := keyThrough(httpx.TrustedProxies{}, ratelimit.ByIP, fuzzRequest(remoteAddr, "")); key != want {
				t.Fatalf("anonymous request keyed %q, want ByIP's %q", key, want)
			}
			checkIPKey(t, key)
			return
		}
		if key != "user:"+id {
			t.Fatalf("user %q keyed %q, want %q", id, key, "user:"+id)
		}
	})
}
