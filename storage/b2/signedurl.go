package b2

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/groundwork-go/groundwork/storage"
)

// SignedURL returns the object's download URL with a B2 download
// authorization token valid for expiry (one second to seven days). B2 scopes
// tokens to a name prefix, so the token also opens any key that starts with
// this key.
func (b *Bucket) SignedURL(ctx context.Context, key string, expiry time.Duration) (string, error) {
	if err := storage.ValidateKey(key); err != nil {
		return "", fmt.Errorf("b2: signed url %q: %w", key, err)
	}
	if err := storage.ValidateExpiry(expiry); err != nil {
		return "", fmt.Errorf("b2: signed url %q: %w", key, err)
	}
	ctx, o := b.begin(ctx)
	defer o.end()
	token, err := b.bucket.AuthToken(ctx, key, expiry)
	if err != nil {
		return "", wrapErr("signed url", key, o, err)
	}
	return b.bucket.BaseURL() + "/file/" + url.PathEscape(b.bucket.Name()) + "/" + escapeName(key) +
		"?Authorization=" + url.QueryEscape(token), nil
}

// escapeName encodes a file name for a download URL the way B2 decodes it:
// query escaping (space as "+") with "/" left as is.
func escapeName(name string) string {
	return strings.ReplaceAll(url.QueryEscape(name), "%2F", "/")
}
