package gcs

import (
	"context"
	"fmt"
	"time"

	"github.com/groundwork-go/groundwork/storage"
)

// SignedURL returns a V4 signed GET URL for the object, valid for expiry. It
// fails with storage.ErrNotSupported when no Signer is configured.
func (b *Bucket) SignedURL(ctx context.Context, key string, expiry time.Duration) (string, error) {
	if err := storage.ValidateKey(key); err != nil {
		return "", fmt.Errorf("gcs: signed url %q: %w", key, err)
	}
	if err := storage.ValidateExpiry(expiry); err != nil {
		return "", fmt.Errorf("gcs: signed url %q: %w", key, err)
	}
	if b.signer == nil {
		return "", fmt.Errorf("gcs: signed url %q: %w: no signer configured", key, storage.ErrNotSupported)
	}
	u, err := SignV4(ctx, b.name, key, expiry, b.signer, V4Options{
		Scheme: b.scheme,
		Host:   b.host,
		Time:   b.now(),
	})
	if err != nil {
		return "", fmt.Errorf("gcs: signed url %q: %w", key, err)
	}
	return u, nil
}
