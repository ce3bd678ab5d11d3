package main

import (
	"context"
	"net/http"

	"github.com/groundwork-go/groundwork/storage"
	"github.com/groundwork-go/groundwork/storage/b2"
	"github.com/groundwork-go/groundwork/storage/gcs"
	"github.com/groundwork-go/groundwork/storage/memory"
)

// signedPrefix is where the memory bucket serves its signed links.
const signedPrefix = "/signed"

// openBucket opens the configured backend. For the memory backend it also
// returns the handler that serves its signed URLs, to be mounted at
// signedPrefix; cloud backends serve their own signed URLs. transport,
// when not nil, carries B2's requests (GCS instruments its own client).
func openBucket(ctx context.Context, cfg config, transport http.RoundTripper) (storage.Bucket, http.Handler, error) {
	switch cfg.Backend {
	case "b2":
		b, err := b2.New(ctx, cfg.B2KeyID, cfg.B2ApplicationKey, cfg.B2Bucket, b2.Options{Transport: transport})
		return b, nil, err
	case "gcs":
		b, err := gcs.New(ctx, cfg.GCSBucket, gcs.Options{CredentialsJSON: cfg.GCSCredentials, SigningEmail: cfg.GCSSigningEmail})
		return b, nil, err
	}
	mem := memory.New(memory.Options{BaseURL: cfg.PublicURL + signedPrefix})
	return mem, mem, nil
}
