package httpx

import "net/http"

// RouteFunc returns the route of a request, such as "GET /users/{id}": the
// pattern that matched it rather than its path, so that it can label logs
// and metrics with a bounded set of values. It returns "" when no route
// matched. AccessLog takes one in its options, as metrics.New does.
type RouteFunc func(r *http.Request) string

// RoutePattern is the default RouteFunc: r.Pattern, which http.ServeMux
// sets on the request it serves to the full pattern as registered. Routers
// that set r.Pattern on the request they are given work with it too; for
// one that records its pattern elsewhere (chi keeps it in its route context
// and sets r.Pattern only on the request it passes on), use a RouteFunc
// that reads it there.
func RoutePattern(r *http.Request) string { return r.Pattern }
