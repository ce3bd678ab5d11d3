// Command storage is a small example application that wires a storage.Bucket
// into its own HTTP endpoints: streaming uploads with a size limit, ranged
// downloads, listings, deletes and time-limited download links.
//
//	go run ./examples/storage
//
// serves on :8798 with an in-memory bucket and needs no credentials. Set
// STORAGE_BACKEND=b2 (with B2_KEY_ID, B2_APPLICATION_KEY, B2_BUCKET) or
// STORAGE_BACKEND=gcs (with GCS_BUCKET, and GOOGLE_APPLICATION_CREDENTIALS or
// GCS_SIGNING_EMAIL for download links) to store files in the cloud instead. Set UPLOAD_TOKEN to require
// "Authorization: Bearer <token>" on writes.
//
//	curl -T photo.jpg -H 'Content-Type: image/jpeg' localhost:8798/files/photos/1.jpg
//	curl -r 0-99 localhost:8798/files/photos/1.jpg
//	curl 'localhost:8798/files?prefix=photos/&delimiter=/'
//	curl -X POST 'localhost:8798/links/photos/1.jpg?expires=15m'
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "storage example:", err)
		os.Exit(1)
	}
}

// run reads the configuration, opens the bucket and serves until ctx ends.
func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stdout, nil))
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(cfg.Port))
	if err != nil {
		return err
	}
	baseURL := "http://localhost:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	bucket, signedFiles, err := openBucket(ctx, cfg, baseURL+"/signed")
	if err != nil {
		ln.Close()
		return err
	}
	if cfg.UploadToken == "" {
		logger.Warn("UPLOAD_TOKEN is not set: anyone can upload and delete files")
	}
	srv := &http.Server{Handler: newMux(bucket, signedFiles, cfg, logger), ReadHeaderTimeout: 10 * time.Second}
	logger.Info("serving", "addr", ln.Addr().String(), "backend", cfg.Backend, "max_upload_bytes", cfg.MaxUploadBytes)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
