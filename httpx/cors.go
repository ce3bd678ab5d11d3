package httpx

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/rs/cors"
)

// CORSOptions configures CORS. The zero value allows every origin, method
// and header; any origin is answered with a literal "*" and without
// credentials (set ReflectAnyOrigin for the credentialed behaviour of a
// development server).
type CORSOptions struct {
	// AllowedOrigins lists allowed origins ("https://app.example", compared
	// without letter case or a trailing "/"; one "*" inside an entry, as in
	// "https://*.example.com", matches any run of characters), or "*" for
	// any origin. Listed origins are reflected, with credentials unless
	// DisableCredentials is set. Default ["*"].
	AllowedOrigins []string
	// ReflectAnyOrigin makes "*" in AllowedOrigins reflect the request's
	// Origin and allow credentials, so that every site may send
	// credentialed requests. It is meant for development; in production
	// list the origins instead. Default false: "*" is answered with a
	// literal "*" and no Access-Control-Allow-Credentials.
	ReflectAnyOrigin bool
	// AllowedMethods lists methods allowed in preflight, or "*" for the
	// nine standard methods. A preflight is answered with the requested
	// method when it is allowed, and with no CORS headers otherwise.
	// Default ["*"].
	AllowedMethods []string
	// AllowedHeaders lists request headers allowed in preflight, or "*".
	// A preflight is answered with the requested headers when all are
	// allowed, and with no CORS headers otherwise. Default ["*"].
	AllowedHeaders []string
	// ExposedHeaders are response headers scripts may read. Default: the
	// rate-limit headers, Retry-After and X-Request-ID.
	ExposedHeaders []string
	// DisableCredentials turns off Access-Control-Allow-Credentials for
	// listed origins and with ReflectAnyOrigin. Default false.
	DisableCredentials bool
	// MaxAge is how long a browser may cache a preflight, in whole
	// seconds. Default 10 min.
	MaxAge time.Duration
}

// standardMethods are the methods "*" allows in AllowedMethods.
var standardMethods = []string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace,
}

// CORS is middleware implementing Cross-Origin Resource Sharing with
// github.com/rs/cors. It never sends a literal "*" origin together with
// credentials: credentials go only with a reflected Origin, for listed
// origins or with ReflectAnyOrigin. Preflight requests (OPTIONS with
// Access-Control-Request-Method) are answered with 204 and not passed on;
// every response carries "Vary: Origin".
func CORS(opts CORSOptions) Middleware {
	return cors.New(corsOptions(opts)).Handler
}

// corsOptions translates opts into rs/cors options.
func corsOptions(o CORSOptions) cors.Options {
	co := cors.Options{
		AllowedMethods:       o.AllowedMethods,
		AllowedHeaders:       o.AllowedHeaders,
		ExposedHeaders:       o.ExposedHeaders,
		MaxAge:               int(o.MaxAge / time.Second),
		OptionsSuccessStatus: http.StatusNoContent,
	}
	if len(co.AllowedMethods) == 0 || slices.Contains(co.AllowedMethods, "*") {
		co.AllowedMethods = standardMethods
	}
	if len(co.AllowedHeaders) == 0 {
		co.AllowedHeaders = []string{"*"}
	}
	if co.ExposedHeaders == nil {
		co.ExposedHeaders = []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After", RequestIDHeader}
	}
	if o.MaxAge == 0 {
		co.MaxAge = int((10 * time.Minute) / time.Second)
	} else if co.MaxAge <= 0 {
		co.MaxAge = -1 // "Access-Control-Max-Age: 0"
	}
	credentials := !o.DisableCredentials
	switch {
	case len(o.AllowedOrigins) == 0 || slices.Contains(o.AllowedOrigins, "*"):
		if o.ReflectAnyOrigin && credentials {
			co.AllowOriginFunc = func(string) bool { return true }
			co.AllowCredentials = true
		} else {
			co.AllowedOrigins = []string{"*"}
		}
	default:
		for _, origin := range o.AllowedOrigins {
			co.AllowedOrigins = append(co.AllowedOrigins, strings.TrimRight(origin, "/"))
		}
		co.AllowCredentials = credentials
	}
	return co
}
