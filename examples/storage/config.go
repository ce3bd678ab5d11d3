package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/groundwork-go/groundwork/examples/internal/exampleapp"
)

// config is the example's own configuration, read from the environment;
// the common settings (PORT, DATABASE_URL, SECRET_KEY, rate limits) are
// exampleapp's.
type config struct {
	// Backend is memory, b2 or gcs (STORAGE_BACKEND, default memory).
	Backend string
	// MaxUploadBytes caps one upload (MAX_UPLOAD_BYTES, default 10 MiB).
	MaxUploadBytes int64
	// PublicURL is the service's external base URL, the root of the memory
	// bucket's signed links (PUBLIC_URL, default: the Host of the request
	// that asks for the link).
	PublicURL string
	// B2KeyID, B2ApplicationKey and B2Bucket configure the b2 backend.
	B2KeyID, B2ApplicationKey, B2Bucket string
	// GCSBucket and GCSCredentials configure the gcs backend; the
	// credentials are read from the GOOGLE_APPLICATION_CREDENTIALS file.
	GCSBucket      string
	GCSCredentials []byte
	// GCSSigningEmail is the service account that signs download links
	// through IAM when the credentials hold no private key.
	GCSSigningEmail string
}

func loadConfig(env *exampleapp.Env) (config, error) {
	cfg := config{
		Backend:          env.OneOf("STORAGE_BACKEND", "memory", "memory", "b2", "gcs"),
		MaxUploadBytes:   int64(env.Int("MAX_UPLOAD_BYTES", 10<<20, 1, 1<<40)),
		PublicURL:        strings.TrimSuffix(env.String("PUBLIC_URL", ""), "/"),
		B2KeyID:          env.String("B2_KEY_ID", ""),
		B2ApplicationKey: env.String("B2_APPLICATION_KEY", ""),
		B2Bucket:         env.String("B2_BUCKET", ""),
		GCSBucket:        env.String("GCS_BUCKET", ""),
		GCSSigningEmail:  env.String("GCS_SIGNING_EMAIL", ""),
	}
	switch cfg.Backend {
	case "b2":
		env.Required("B2_KEY_ID", "with STORAGE_BACKEND=b2")
		env.Required("B2_APPLICATION_KEY", "with STORAGE_BACKEND=b2")
		env.Required("B2_BUCKET", "with STORAGE_BACKEND=b2")
	case "gcs":
		env.Required("GCS_BUCKET", "with STORAGE_BACKEND=gcs")
	}
	if err := env.Err(); err != nil {
		return cfg, err
	}
	if path := env.String("GOOGLE_APPLICATION_CREDENTIALS", ""); cfg.Backend == "gcs" && path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("GOOGLE_APPLICATION_CREDENTIALS: %w", err)
		}
		cfg.GCSCredentials = b
	}
	return cfg, nil
}
