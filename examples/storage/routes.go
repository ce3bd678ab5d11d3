package main

import (
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"

	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/storage"
)

// newMux mounts the file endpoints. signedFiles, when non-nil, serves the
// memory bucket's signed URLs under /signed/.
func newMux(bucket storage.Bucket, signedFiles http.Handler, cfg config, logger *slog.Logger) http.Handler {
	f := &files{bucket: bucket, maxBytes: cfg.MaxUploadBytes}
	write := requireToken(cfg.UploadToken)
	mux := http.NewServeMux()
	mux.Handle("PUT /files/{key...}", write(http.HandlerFunc(f.upload)))
	mux.Handle("DELETE /files/{key...}", write(http.HandlerFunc(f.remove)))
	mux.HandleFunc("GET /files/{key...}", f.download)
	mux.HandleFunc("GET /files", f.list)
	mux.Handle("POST /links/{key...}", write(http.HandlerFunc(f.link)))
	if signedFiles != nil {
		mux.Handle("GET /signed/", http.StripPrefix("/signed", signedFiles))
	}
	return httpx.Chain(httpx.RequestID, httpx.Recover, httpx.AccessLog(logger, httpx.AccessLogOptions{}))(mux)
}

// requireToken returns middleware that demands "Authorization: Bearer token"
// when token is set, and lets every request through when it is empty.
func requireToken(token string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if token == "" {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
				w.Header().Set("WWW-Authenticate", "Bearer")
				httpx.WriteError(w, r, httpx.Unauthorized("a valid upload token is required"))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
