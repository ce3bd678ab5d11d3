package httpx

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// CORSOptions configures CORS. The zero value allows every origin, method
// and header; any origin is answered with a literal "*" and without
// credentials (set ReflectAnyOrigin for the credentialed behaviour of a
// development server).
type CORSOptions struct {
	// AllowedOrigins lists allowed origins exactly ("https://app.example")
	// or "*" for any. Listed origins are reflected, with credentials unless
	// DisableCredentials is set. Default ["*"].
	AllowedOrigins []string
	// ReflectAnyOrigin makes "*" in AllowedOrigins reflect the request's
	// Origin and allow credentials, so that every site may send
	// credentialed requests. It is meant for development; in production
	// list the origins instead. Default false: "*" is answered with a
	// literal "*" and no Access-Control-Allow-Credentials.
	ReflectAnyOrigin bool
	// AllowedMethods lists methods allowed in preflight, or "*". Default
	// ["*"], answered with the requested method.
	AllowedMethods []string
	// AllowedHeaders lists request headers allowed in preflight, or "*".
	// Default ["*"], answered with the requested headers.
	AllowedHeaders []string
	// ExposedHeaders are response headers scripts may read. Default: the
	// rate-limit headers, Retry-After and X-Request-ID.
	ExposedHeaders []string
	// DisableCredentials turns off Access-Control-Allow-Credentials for
	// listed origins and with ReflectAnyOrigin. Default false.
	DisableCredentials bool
	// MaxAge is how long a browser may cache a preflight. Default 10 min.
	MaxAge time.Duration
}

// CORS is middleware implementing Cross-Origin Resource Sharing. It never
// sends a literal "*" origin together with credentials: credentials go
// only with a reflected Origin, for listed origins or with
// ReflectAnyOrigin. Preflight requests
// (OPTIONS with Access-Control-Request-Method) are answered with 204.
func CORS(opts CORSOptions) Middleware {
	c := newCORSPolicy(opts)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			origin := r.Header.Get("Origin")
			if origin == "" {
				next.ServeHTTP(w, r)
				return
			}
			h := w.Header()
			h.Add("Vary", "Origin")
			preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
			if !c.originAllowed(origin) {
				if preflight {
					w.WriteHeader(http.StatusNoContent)
					return
				}
				next.ServeHTTP(w, r)
				return
			}
			c.writeOrigin(h, origin)
			if preflight {
				c.writePreflight(h, r)
				w.WriteHeader(http.StatusNoContent)
				return
			}
			if c.exposed != "" {
				h.Set("Access-Control-Expose-Headers", c.exposed)
			}
			next.ServeHTTP(w, r)
		})
	}
}

type corsPolicy struct {
	anyOrigin   bool
	origins     map[string]bool
	anyMethod   bool
	methods     string
	anyHeader   bool
	headers     string
	exposed     string
	credentials bool
	maxAge      string
}

func newCORSPolicy(o CORSOptions) *corsPolicy {
	c := &corsPolicy{origins: map[string]bool{}, credentials: !o.DisableCredentials}
	if len(o.AllowedOrigins) == 0 {
		o.AllowedOrigins = []string{"*"}
	}
	for _, origin := range o.AllowedOrigins {
		if origin == "*" {
			c.anyOrigin = true
		}
		c.origins[strings.ToLower(strings.TrimRight(origin, "/"))] = true
	}
	if c.anyOrigin && !o.ReflectAnyOrigin {
		c.credentials = false
	}
	c.anyMethod, c.methods = listOrAny(o.AllowedMethods)
	c.anyHeader, c.headers = listOrAny(o.AllowedHeaders)
	if o.ExposedHeaders == nil {
		o.ExposedHeaders = []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After", RequestIDHeader}
	}
	c.exposed = strings.Join(o.ExposedHeaders, ", ")
	if o.MaxAge == 0 {
		o.MaxAge = 10 * time.Minute
	}
	c.maxAge = strconv.Itoa(int(o.MaxAge / time.Second))
	return c
}

func listOrAny(list []string) (any bool, joined string) {
	if len(list) == 0 {
		return true, ""
	}
	for _, v := range list {
		if v == "*" {
			return true, ""
		}
	}
	return false, strings.Join(list, ", ")
}

func (c *corsPolicy) originAllowed(origin string) bool {
	return c.anyOrigin || c.origins[strings.ToLower(origin)]
}

func (c *corsPolicy) writeOrigin(h http.Header, origin string) {
	if c.anyOrigin && !c.credentials {
		h.Set("Access-Control-Allow-Origin", "*")
		return
	}
	h.Set("Access-Control-Allow-Origin", origin)
	if c.credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
}

func (c *corsPolicy) writePreflight(h http.Header, r *http.Request) {
	h.Add("Vary", "Access-Control-Request-Method")
	h.Add("Vary", "Access-Control-Request-Headers")
	if c.anyMethod {
		h.Set("Access-Control-Allow-Methods", r.Header.Get("Access-Control-Request-Method"))
	} else {
		h.Set("Access-Control-Allow-Methods", c.methods)
	}
	if c.anyHeader {
		if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
			h.Set("Access-Control-Allow-Headers", req)
		}
	} else {
		h.Set("Access-Control-Allow-Headers", c.headers)
	}
	h.Set("Access-Control-Max-Age", c.maxAge)
}
