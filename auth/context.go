package auth

import (
	"context"
	"net/http"
)

// Identity is who an authenticated request acts for.
type Identity struct {
	// Subject is the user ID ("sub").
	Subject string
	// Claims are the verified claims of a Groundwork token; nil when an
	// alternative verifier (such as Firebase) authenticated the request.
	Claims *Claims
	// Extra holds an alternative verifier's claims; nil otherwise.
	Extra map[string]any
	// Record is what Options.Subjects loaded when it is a SubjectLoader
	// (the user's profile, say), as of the authentication; nil otherwise.
	Record any
}

type identityKey struct{}

// NewContext returns a copy of ctx carrying id.
func NewContext(ctx context.Context, id *Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// FromContext returns the identity stored by the middleware, if any.
func FromContext(ctx context.Context) (*Identity, bool) {
	id, ok := ctx.Value(identityKey{}).(*Identity)
	return id, ok
}

// SubjectFromRequest returns the authenticated subject of r. Its shape fits
// key functions such as per-user rate limiting.
func SubjectFromRequest(r *http.Request) (string, bool) {
	id, ok := FromContext(r.Context())
	if !ok {
		return "", false
	}
	return id.Subject, true
}
