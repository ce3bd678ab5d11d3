package httpx

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DeprecationOptions describe what follows a route's deprecation. The zero
// value announces the deprecation date only.
type DeprecationOptions struct {
	// Sunset is when the route is expected to stop working, sent as the
	// Sunset header (RFC 8594) with one-second precision. It must not be
	// earlier than the deprecation date. Default: none announced.
	Sunset time.Time
	// Link is the URL of a document about the deprecation (what to use
	// instead, how to migrate), sent as a Link with rel="deprecation"
	// (RFC 9745). Default: none.
	Link string
	// SunsetLink is the URL of a document about the sunset, sent as a Link
	// with rel="sunset" (RFC 8594). Default: none.
	SunsetLink string
}

// Deprecated is middleware that marks every response of the routes it
// wraps as deprecated since date (or from date, when it lies in the
// future), with the headers a client can act on:
//
//	Deprecation: @1767225600
//	Sunset: Wed, 01 Jul 2026 00:00:00 GMT
//	Link: <https://example.com/migrate>; rel="deprecation"
//	Link: <https://example.com/sunset>; rel="sunset"
//
// Deprecation is the RFC 9745 structured-field date, "@" and the Unix time
// in seconds; Sunset and the links are sent only when opts sets them. The
// headers are set before the handler runs, so error responses carry them
// too. The wrapped handler's behaviour is otherwise unchanged.
//
// Deprecated panics if date is zero, if opts.Sunset is earlier than date,
// or if a link is not a URL that can be written in a Link header.
func Deprecated(date time.Time, opts DeprecationOptions) Middleware {
	if date.IsZero() {
		panic("httpx: Deprecated needs a deprecation date")
	}
	if !opts.Sunset.IsZero() && opts.Sunset.Before(date) {
		panic(fmt.Sprintf("httpx: Deprecated: sunset %v is earlier than the deprecation date %v", opts.Sunset, date))
	}
	deprecation := "@" + strconv.FormatInt(date.Unix(), 10)
	var sunset string
	if !opts.Sunset.IsZero() {
		sunset = opts.Sunset.UTC().Format(http.TimeFormat)
	}
	var links []string
	for _, l := range []struct{ url, rel string }{{opts.Link, "deprecation"}, {opts.SunsetLink, "sunset"}} {
		if l.url != "" {
			links = append(links, linkValue(l.url, l.rel))
		}
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Deprecation", deprecation)
			if sunset != "" {
				h.Set("Sunset", sunset)
			}
			for _, l := range links {
				h.Add("Link", l)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// linkValue is one RFC 8288 link-value, or a panic when target cannot be
// written between angle brackets.
func linkValue(target, rel string) string {
	if _, err := url.Parse(target); err != nil || strings.ContainsAny(target, "<> \t\r\n\",;") {
		panic(fmt.Sprintf("httpx: Deprecated: %s link %q is not a URL for a Link header", rel, target))
	}
	return "<" + target + `>; rel="` + rel + `"`
}
