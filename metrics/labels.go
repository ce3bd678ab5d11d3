package metrics

import (
	"net/http"
	"strconv"
)

// Label values that stand for anything outside a bounded set.
const (
	// UnmatchedRoute is the route label of requests that matched no
	// pattern (the router's 404 and 405 answers, or no router at all).
	UnmatchedRoute = "unmatched"
	// OtherMethod is the method label of requests whose method is not one
	// of the nine defined by RFC 9110 and RFC 5789.
	OtherMethod = "OTHER"
	// OtherValue is the label value of hook results this package does not
	// know, for example a revocation check result other than "ok",
	// "revoked" or "error".
	OtherValue = "other"
)

// methodLabel bounds the method label to the standard methods.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet:
		return http.MethodGet
	case http.MethodHead:
		return http.MethodHead
	case http.MethodPost:
		return http.MethodPost
	case http.MethodPut:
		return http.MethodPut
	case http.MethodPatch:
		return http.MethodPatch
	case http.MethodDelete:
		return http.MethodDelete
	case http.MethodOptions:
		return http.MethodOptions
	case http.MethodConnect:
		return http.MethodConnect
	case http.MethodTrace:
		return http.MethodTrace
	}
	return OtherMethod
}

// routeLabel is the route Options.Route returned, or UnmatchedRoute.
func routeLabel(pattern string) string {
	if pattern == "" {
		return UnmatchedRoute
	}
	return pattern
}

// codeLabel is the decimal status code; the middleware only passes codes
// in 100..999 (see statusWriter).
func codeLabel(code int) string {
	return strconv.Itoa(code)
}
