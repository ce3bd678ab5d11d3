package httpx

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

// FuzzDecode sends arbitrary bodies under each supported content type:
// Decode never panics and every failure is one of the documented statuses.
func FuzzDecode(f *testing.F) {
	f.Add("application/json", `{"username":"johndoe","email":"a@b.co","first_name":"J","age":3}`)
	f.Add("application/json", `{"age":1e400}`)
	f.Add("application/json", `[1,2,3]`)
	f.Add("application/x-www-form-urlencoded", "username=johndoe&email=a%40b.co&first_name=J")
	f.Add("application/x-www-form-urlencoded", "%zz=1&&=")
	f.Add("multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\njohn\r\n--xyz--\r\n")
	f.Add("text/plain", "hello")
	f.Fuzz(func(t *testing.T, contentType, body string) {
		req := httptest.NewRequest("POST", "/", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		var dst signupForm
		err := Decode(rec, req, &dst)
		if err == nil {
			if Validate(&dst, "json") != nil && Validate(&dst, "form") != nil {
				t.Fatalf("Decode accepted an invalid value %+v", dst)
			}
			return
		}
		WriteError(rec, req, err)
		switch rec.Code {
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity:
		default:
			t.Fatalf("status %d for %q %q: %v", rec.Code, contentType, body, err)
		}
	})
}

// FuzzClientIP resolves arbitrary forwarding headers: with no trusted
// proxies the answer is always the peer; with trusted proxies it is never
// a trusted address unless every hop is trusted, and nothing panics.
func FuzzClientIP(f *testing.F) {
	trusted, _ := ParseTrustedProxies("10.0.0.0/8")
	f.Add("203.0.113.9:1234", "1.2.3.4, 10.0.0.1", "5.6.7.8")
	f.Add("10.0.0.2:80", "garbage, ,,", "")
	f.Add("[::1]:80", "::ffff:1.2.3.4", "fe80::1%eth0")
	f.Fuzz(func(t *testing.T, remote, xff, realIP string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		r.Header.Set("X-Real-IP", realIP)
		if got, peer := (TrustedProxies{}).Resolve(r), peerAddr(remote); got != peer {
			t.Fatalf("untrusted resolution %v differs from peer %v", got, peer)
		}
		got := trusted.Resolve(r)
		peer := peerAddr(remote)
		if !trusted.Contains(peer) && got != peer {
			t.Fatalf("untrusted peer %v: resolved %v from headers", peer, got)
		}
		_ = netip.Addr(got)
	})
}
