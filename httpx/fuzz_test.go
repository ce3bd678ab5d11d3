package httpx

import (
	"net/http"
	"net/http/httptest"
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
	f.Add("application/x-www-form-urlencoded", "age[99999]=1&username[0]=x&email.x=1&first_name[a]=b&[]=&a[=1")
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

// FuzzClientIP resolves arbitrary forwarding headers. With no trusted
// proxies, or from an untrusted peer, the answer is always the peer; only
// the selected header counts (removing the other two changes nothing); the
// answer is either the peer or an address with no zone and no IPv4-mapped
// form; and nothing panics.
func FuzzClientIP(f *testing.F) {
	trusted, _ := ParseTrustedProxies("10.0.0.0/8, fd00::/8")
	f.Add("203.0.113.9:1234", uint8(0), "1.2.3.4, 10.0.0.1", "5.6.7.8", "for=1.2.3.4")
	f.Add("10.0.0.2:80", uint8(0), "garbage, ,,", "", "")
	f.Add("[::1]:80", uint8(1), "::ffff:1.2.3.4", "fe80::1%eth0", "")
	f.Add("10.0.0.2:80", uint8(0), "1.2.3.4:5555, [2001:db8::1]:443", "", "")
	f.Add("10.0.0.2:80", uint8(1), "", "[2001:db8::1]:443", "")
	f.Add("10.0.0.2:80", uint8(2), "", "", `for=192.0.2.60;proto=http, for="[2001:db8:cafe::17]:4711"`)
	f.Add("10.0.0.2:80", uint8(2), "", "", `for=_hidden;by="[fd00::1]:_x", for=unknown, for="[::1]:80"`)
	f.Add("10.0.0.2:80", uint8(2), "", "", `for="unterminated, for=1.2.3.4`)
	f.Fuzz(func(t *testing.T, remote string, header uint8, xff, realIP, forwarded string) {
		headers := map[ForwardingHeader][2]string{
			HeaderXForwardedFor: {"X-Forwarded-For", xff},
			HeaderXRealIP:       {"X-Real-IP", realIP},
			HeaderForwarded:     {"Forwarded", forwarded},
		}
		selected := ForwardingHeader(header % 3)
		all := httptest.NewRequest("GET", "/", nil)
		all.RemoteAddr = remote
		only := httptest.NewRequest("GET", "/", nil)
		only.RemoteAddr = remote
		for h, kv := range headers {
			all.Header.Set(kv[0], kv[1])
			if h == selected {
				only.Header.Set(kv[0], kv[1])
			}
		}
		peer := peerAddr(remote)
		if got := (TrustedProxies{Header: selected}).Resolve(all); got != peer {
			t.Fatalf("untrusted resolution %v differs from peer %v", got, peer)
		}
		tp := trusted
		tp.Header = selected
		got := tp.Resolve(all)
		if !trusted.Contains(peer) && got != peer {
			t.Fatalf("untrusted peer %v: resolved %v from headers", peer, got)
		}
		if alone := tp.Resolve(only); alone != got {
			t.Fatalf("%v: resolved %v with every header, %v with the selected one alone", selected, got, alone)
		}
		if got != peer && (!got.IsValid() || got.Zone() != "" || got.Is4In6()) {
			t.Fatalf("resolved %v: want a plain address", got)
		}
	})
}
