package ratelimit_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/groundwork-go/groundwork/ratelimit"
)

func TestByIP(t *testing.T) {
	tests := []struct {
		remote string
		want   string
	}{
		{"192.0.2.7:1234", "ip:192.0.2.7"},
		{"[::ffff:192.0.2.7]:1234", "ip:192.0.2.7"},
		{"[2001:db8:1:2:3:4:5:6]:1234", "ip:2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff::1]:1234", "ip:2001:db8:1:2::/64"},
		{"not an address", "ip:unknown"},
	}
	for _, tc := range tests {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.RemoteAddr = tc.remote
		if got := ratelimit.ByIP(req); got != tc.want {
			t.Errorf("ByIP with RemoteAddr %q: got %q, want %q", tc.remote, got, tc.want)
		}
	}
}

func TestByUser(t *testing.T) {
	userID := func(r *http.Request) (string, bool) {
		id := r.Header.Get("Test-User")
		return id, id != ""
	}
	key := ratelimit.ByUser(userID)
	tests := []struct {
		user string
		want string
	}{
		{"42", "user:42"},
		{"", "ip:192.0.2.7"},
	}
	for _, tc := range tests {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.RemoteAddr = "192.0.2.7:1"
		if tc.user != "" {
			req.Header.Set("Test-User", tc.user)
		}
		if got := key(req); got != tc.want {
			t.Errorf("ByUser with user %q: got %q, want %q", tc.user, got, tc.want)
		}
	}
}
