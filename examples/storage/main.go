// Command storage is a small example application that wires a storage.Bucket
// into its own HTTP endpoints: streaming uploads with a size limit, ranged
// downloads, listings, deletes and time-limited download links. Files belong
// to users: every route needs a Groundwork access token (sign up or log in
// through /api/v1/auth/…), and each user's files live under their own
// prefix (users/<id>/) in the bucket, out of other users' reach.
//
//	go run ./examples/storage
//
// serves on :8798 with an in-memory bucket and needs no credentials. Set
// STORAGE_BACKEND=b2 (with B2_KEY_ID, B2_APPLICATION_KEY, B2_BUCKET) or
// STORAGE_BACKEND=gcs (with GCS_BUCKET, and GOOGLE_APPLICATION_CREDENTIALS or
// GCS_SIGNING_EMAIL for download links) to store files in the cloud instead.
// MAX_UPLOAD_BYTES caps an upload (default 10 MiB); PUBLIC_URL is the base
// of the memory bucket's links (default: the request's host). The common
// settings (PORT, DATABASE_URL, SECRET_KEY, rate limits) are those of
// examples/internal/exampleapp.
//
//	TOKEN=$(curl -s localhost:8798/api/v1/auth/signup -d username=ada -d email=ada@example.com \
//	  -d password=correct-horse-9 -d first_name=Ada -d last_name=L | jq -r .access_token)
//	curl -T photo.jpg -H "Authorization: Bearer $TOKEN" -H 'Content-Type: image/jpeg' localhost:8798/api/v1/files/photos/1.jpg
//	curl -r 0-99 -H "Authorization: Bearer $TOKEN" localhost:8798/api/v1/files/photos/1.jpg
//	curl -H "Authorization: Bearer $TOKEN" 'localhost:8798/api/v1/files?prefix=photos/&delimiter=/'
//	curl -X POST -H "Authorization: Bearer $TOKEN" 'localhost:8798/api/v1/links/photos/1.jpg?expires=15m'
package main

import (
	"context"
	"net/http"
	"strings"

	"github.com/groundwork-go/groundwork/examples/internal/exampleapp"
)

func main() {
	exampleapp.Main("storage", 8798, setup)
}

// setup opens the bucket and mounts the file routes on app.
func setup(ctx context.Context, app *exampleapp.App) error {
	cfg, err := loadConfig(app.Env)
	if err != nil {
		return err
	}
	bucket, signedFiles, err := openBucket(ctx, cfg, app.Transport())
	if err != nil {
		return err
	}
	if cfg.Backend == "memory" {
		app.Logger.Warn("STORAGE_BACKEND is not set: files live in an in-memory bucket and die with the process")
	}
	app.Logger.Info("file storage ready", "backend", cfg.Backend, "max_upload_bytes", cfg.MaxUploadBytes)
	f := &files{bucket: bucket, maxBytes: cfg.MaxUploadBytes}
	routes := []struct {
		pattern string
		handler exampleapp.UserHandler
	}{
		{"PUT /files/{key...}", f.upload},
		{"GET /files/{key...}", f.download},
		{"DELETE /files/{key...}", f.remove},
		{"GET /files", f.list},
		{"POST /links/{key...}", f.link},
	}
	for _, rt := range routes {
		method, path, _ := strings.Cut(rt.pattern, " ")
		app.Mux.Handle(method+" "+exampleapp.APIPrefix+path, app.Authenticated(exampleapp.ForUser(rt.handler)))
	}
	if signedFiles != nil {
		// Signed links are the way to share a file: no token needed.
		app.Mux.Handle("GET "+signedPrefix+"/", app.Limited(http.StripPrefix(signedPrefix, signedFiles)))
	}
	return nil
}
