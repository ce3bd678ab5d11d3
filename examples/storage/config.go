package main

import (
	"fmt"
	"os"
	"strconv"
)

// config is the example's configuration, read from the environment.
type config struct {
	// Port is the TCP port (PORT, default 8798; 0 picks a free port).
	Port int
	// Backend is memory, b2 or gcs (STORAGE_BACKEND, default memory).
	Backend string
	// MaxUploadBytes caps one upload (MAX_UPLOAD_BYTES, default 10 MiB).
	MaxUploadBytes int64
	// UploadToken, when set, is required as a Bearer token on writes.
	UploadToken string
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

func loadConfig(getenv func(string) string) (config, error) {
	cfg := config{
		Port:             8798,
		Backend:          "memory",
		MaxUploadBytes:   10 << 20,
		UploadToken:      getenv("UPLOAD_TOKEN"),
		B2KeyID:          getenv("B2_KEY_ID"),
		B2ApplicationKey: getenv("B2_APPLICATION_KEY"),
		B2Bucket:         getenv("B2_BUCKET"),
		GCSBucket:        getenv("GCS_BUCKET"),
		GCSSigningEmail:  getenv("GCS_SIGNING_EMAIL"),
	}
	if v := getenv("PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 0 || p > 65535 {
			return cfg, fmt.Errorf("PORT: %q is not a port number", v)
		}
		cfg.Port = p
	}
	if v := getenv("MAX_UPLOAD_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return cfg, fmt.Errorf("MAX_UPLOAD_BYTES: %q is not a positive number", v)
		}
		cfg.MaxUploadBytes = n
	}
	if v := getenv("STORAGE_BACKEND"); v != "" {
		cfg.Backend = v
	}
	switch cfg.Backend {
	case "memory":
	case "b2":
		if cfg.B2KeyID == "" || cfg.B2ApplicationKey == "" || cfg.B2Bucket == "" {
			return cfg, fmt.Errorf("STORAGE_BACKEND=b2 needs B2_KEY_ID, B2_APPLICATION_KEY and B2_BUCKET")
		}
	case "gcs":
		if cfg.GCSBucket == "" {
			return cfg, fmt.Errorf("STORAGE_BACKEND=gcs needs GCS_BUCKET")
		}
		if path := getenv("GOOGLE_APPLICATION_CREDENTIALS"); path != "" {
			b, err := os.ReadFile(path)
			if err != nil {
				return cfg, fmt.Errorf("GOOGLE_APPLICATION_CREDENTIALS: %w", err)
			}
			cfg.GCSCredentials = b
		}
	default:
		return cfg, fmt.Errorf("STORAGE_BACKEND: %q is not memory, b2 or gcs", cfg.Backend)
	}
	return cfg, nil
}
