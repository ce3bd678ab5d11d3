package httpx

import (
	"net/http"
	"strconv"
	"time"
)

// SecurityOptions configures SecurityHeaders. The zero value sends the
// safe defaults and no HSTS.
type SecurityOptions struct {
	// HSTSMaxAge, when positive, sends Strict-Transport-Security with this
	// max-age (and includeSubDomains). Default 0: no HSTS, since it must
	// only be sent by sites that are served over HTTPS.
	HSTSMaxAge time.Duration
	// ReferrerPolicy is the Referrer-Policy value. Default
	// "strict-origin-when-cross-origin".
	ReferrerPolicy string
}

// SecurityHeaders is middleware that sets X-Content-Type-Options: nosniff,
// X-Frame-Options: DENY, Referrer-Policy and, when configured, HSTS.
func SecurityHeaders(opts SecurityOptions) Middleware {
	referrer := opts.ReferrerPolicy
	if referrer == "" {
		referrer = "strict-origin-when-cross-origin"
	}
	hsts := ""
	if opts.HSTSMaxAge > 0 {
		hsts = "max-age=" + strconv.FormatInt(int64(opts.HSTSMaxAge/time.Second), 10) + "; includeSubDomains"
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", referrer)
			if hsts != "" {
				h.Set("Strict-Transport-Security", hsts)
			}
			next.ServeHTTP(w, r)
		})
	}
}
