package httpx

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestDeprecated(t *testing.T) {
	date := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sunset := time.Date(2026, 7, 1, 2, 0, 0, 0, time.FixedZone("CEST", 2*3600)) // 00:00 UTC
	tests := []struct {
		name        string
		date        time.Time
		opts        DeprecationOptions
		handler     http.HandlerFunc
		wantStatus  int
		wantDep     string
		wantSunset  string
		wantLinks   []string
		wantBodyPre string
	}{
		{"date only", date, DeprecationOptions{}, func(w http.ResponseWriter, r *http.Request) { WriteJSON(w, 200, map[string]int{"n": 1}) },
			200, "@1767225600", "", nil, `{"n":1}`},
		{"sub-second date is truncated", date.Add(999 * time.Millisecond), DeprecationOptions{}, func(w http.ResponseWriter, r *http.Request) {},
			200, "@1767225600", "", nil, ""},
		{"everything", date, DeprecationOptions{Sunset: sunset, Link: "https://example.com/migrate", SunsetLink: "https://example.com/sunset?v=1"},
			func(w http.ResponseWriter, r *http.Request) { WriteJSON(w, 200, map[string]int{"n": 1}) },
			200, "@1767225600", "Wed, 01 Jul 2026 00:00:00 GMT",
			[]string{`<https://example.com/migrate>; rel="deprecation"`, `<https://example.com/sunset?v=1>; rel="sunset"`}, `{"n":1}`},
		{"error responses carry the headers", date, DeprecationOptions{Sunset: date, Link: "/docs/deprecations#v1"},
			func(w http.ResponseWriter, r *http.Request) { WriteError(w, r, NotFound("User not found")) },
			404, "@1767225600", "Thu, 01 Jan 2026 00:00:00 GMT", []string{`</docs/deprecations#v1>; rel="deprecation"`}, `{"detail":"User not found"`},
		{"handler's own links are kept", date, DeprecationOptions{Link: "https://example.com/m"},
			func(w http.ResponseWriter, r *http.Request) { w.Header().Add("Link", `</next>; rel="next"`) },
			200, "@1767225600", "", []string{`<https://example.com/m>; rel="deprecation"`, `</next>; rel="next"`}, ""},
		{"pre-epoch date", time.Date(1969, 12, 31, 23, 59, 0, 0, time.UTC), DeprecationOptions{}, func(w http.ResponseWriter, r *http.Request) {},
			200, "@-60", "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			Deprecated(tt.date, tt.opts)(tt.handler).ServeHTTP(rec, httptest.NewRequest("GET", "/v1/things", nil))
			h := rec.Header()
			if rec.Code != tt.wantStatus {
				t.Errorf("status: got %d, want %d", rec.Code, tt.wantStatus)
			}
			if got := h.Values("Deprecation"); len(got) != 1 || got[0] != tt.wantDep {
				t.Errorf("Deprecation: got %q, want %q", got, tt.wantDep)
			}
			if got := h.Get("Sunset"); got != tt.wantSunset {
				t.Errorf("Sunset: got %q, want %q", got, tt.wantSunset)
			}
			if got := h.Values("Link"); strings.Join(got, "\n") != strings.Join(tt.wantLinks, "\n") {
				t.Errorf("Link: got %q, want %q", got, tt.wantLinks)
			}
			if !strings.HasPrefix(rec.Body.String(), tt.wantBodyPre) {
				t.Errorf("body: got %q, want it to start with %q", rec.Body, tt.wantBodyPre)
			}
		})
	}
}

func TestDeprecatedRejectsBadOptions(t *testing.T) {
	date := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		date time.Time
		opts DeprecationOptions
	}{
		{"zero date", time.Time{}, DeprecationOptions{}},
		{"sunset before deprecation", date, DeprecationOptions{Sunset: date.Add(-time.Second)}},
		{"link with angle bracket", date, DeprecationOptions{Link: "https://example.com/>; rel=x"}},
		{"sunset link with space", date, DeprecationOptions{SunsetLink: "https://example.com/a b"}},
		{"unparsable link", date, DeprecationOptions{Link: "%zz"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Deprecated(%v, %+v): got no panic, want one", tt.date, tt.opts)
				}
			}()
			Deprecated(tt.date, tt.opts)
		})
	}
}
