package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/storage"
)

// files serves a bucket over HTTP.
type files struct {
	bucket   storage.Bucket
	maxBytes int64
}

// fileJSON is a file's description in responses.
type fileJSON struct {
	Key         string            `json:"key"`
	Size        int64             `json:"size"`
	ContentType string            `json:"content_type"`
	ETag        string            `json:"etag"`
	Updated     time.Time         `json:"updated"`
	Metadata    map[string]string `json:"metadata,omitempty"`
}

func toJSON(a *storage.Attributes) fileJSON {
	return fileJSON{Key: a.Key, Size: a.Size, ContentType: a.ContentType, ETag: a.ETag, Updated: a.Updated, Metadata: a.Metadata}
}

// upload streams the request body into the bucket. A body over the limit is
// refused with 413 (at once when Content-Length says so, otherwise as soon as
// the limit is crossed) and nothing is stored.
func (f *files) upload(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > f.maxBytes {
		httpx.WriteError(w, r, tooLarge(f.maxBytes))
		return
	}
	body := http.MaxBytesReader(w, r.Body, f.maxBytes)
	opts := storage.PutOptions{
		ContentType: r.Header.Get("Content-Type"),
		Size:        max(r.ContentLength, 0),
		Metadata:    map[string]string{"uploaded-by": "storage-example"},
	}
	attrs, err := f.bucket.Put(r.Context(), r.PathValue("key"), body, opts)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			httpx.WriteError(w, r, tooLarge(f.maxBytes))
			return
		}
		httpx.WriteError(w, r, storageError(err))
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, toJSON(attrs))
}

func tooLarge(limit int64) *httpx.Error {
	return httpx.NewError(http.StatusRequestEntityTooLarge, httpx.CodePayloadTooLarge, fmt.Sprintf("uploads are limited to %d bytes", limit))
}

// download streams a file, or the single byte range the Range header asks
// for.
func (f *files) download(w http.ResponseWriter, r *http.Request) {
	opts, ranged, err := parseRange(r.Header.Get("Range"))
	if err != nil {
		httpx.WriteError(w, r, httpx.BadRequest(err.Error()))
		return
	}
	rd, err := f.bucket.Get(r.Context(), r.PathValue("key"), opts)
	if err != nil {
		httpx.WriteError(w, r, storageError(err))
		return
	}
	defer rd.Close()
	n := rd.Size - opts.Offset
	if opts.Length > 0 {
		n = min(n, opts.Length)
	}
	h := w.Header()
	h.Set("Content-Type", rd.ContentType)
	h.Set("Content-Length", strconv.FormatInt(n, 10))
	h.Set("ETag", strconv.Quote(rd.ETag))
	h.Set("Accept-Ranges", "bytes")
	status := http.StatusOK
	if ranged {
		status = http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", opts.Offset, opts.Offset+n-1, rd.Size))
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		io.Copy(w, rd)
	}
}

// parseRange parses a single "bytes=first-last" or "bytes=first-" range.
func parseRange(h string) (storage.GetOptions, bool, error) {
	if h == "" {
		return storage.GetOptions{}, false, nil
	}
	spec, ok := strings.CutPrefix(h, "bytes=")
	first, last, dash := strings.Cut(spec, "-")
	start, err := strconv.ParseInt(first, 10, 64)
	if !ok || !dash || err != nil || start < 0 {
		return storage.GetOptions{}, false, fmt.Errorf("unsupported Range %q: use bytes=first-last or bytes=first-", h)
	}
	opts := storage.GetOptions{Offset: start}
	if last != "" {
		end, err := strconv.ParseInt(last, 10, 64)
		if err != nil || end < start {
			return storage.GetOptions{}, false, fmt.Errorf("invalid Range %q", h)
		}
		opts.Length = end - start + 1
	}
	return opts, true, nil
}

// remove deletes a file.
func (f *files) remove(w http.ResponseWriter, r *http.Request) {
	if err := f.bucket.Delete(r.Context(), r.PathValue("key")); err != nil {
		httpx.WriteError(w, r, storageError(err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// list returns one page of files under ?prefix=, grouped by ?delimiter=.
func (f *files) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	size, _ := strconv.Atoi(q.Get("page_size"))
	page, err := f.bucket.List(r.Context(), storage.ListOptions{
		Prefix:    q.Get("prefix"),
		Delimiter: q.Get("delimiter"),
		PageSize:  min(max(size, 0), 1000),
		PageToken: q.Get("page_token"),
	})
	if err != nil {
		httpx.WriteError(w, r, storageError(err))
		return
	}
	out := struct {
		Files         []fileJSON `json:"files"`
		Prefixes      []string   `json:"prefixes"`
		NextPageToken string     `json:"next_page_token,omitempty"`
	}{Files: []fileJSON{}, Prefixes: page.Prefixes, NextPageToken: page.NextPageToken}
	for i := range page.Objects {
		out.Files = append(out.Files, toJSON(&page.Objects[i]))
	}
	if out.Prefixes == nil {
		out.Prefixes = []string{}
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

// link returns a time-limited download URL (?expires=, a Go duration,
// default 15m).
func (f *files) link(w http.ResponseWriter, r *http.Request) {
	expiry := 15 * time.Minute
	if v := r.URL.Query().Get("expires"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			httpx.WriteError(w, r, httpx.BadRequest("expires must be a duration such as 15m"))
			return
		}
		expiry = d
	}
	key := r.PathValue("key")
	if _, err := f.bucket.Stat(r.Context(), key); err != nil {
		httpx.WriteError(w, r, storageError(err))
		return
	}
	u, err := f.bucket.SignedURL(r.Context(), key, expiry)
	if err != nil {
		httpx.WriteError(w, r, storageError(err))
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"url": u, "expires_at": time.Now().Add(expiry).UTC()})
}

// storageError turns a storage error into the response a client should see;
// the original error is kept as the logged cause.
func storageError(err error) error {
	var e *httpx.Error
	switch {
	case errors.Is(err, storage.ErrNotExist):
		e = httpx.NotFound("file not found")
	case errors.Is(err, storage.ErrInvalidKey):
		e = httpx.BadRequest("invalid file name")
	case errors.Is(err, storage.ErrInvalidExpiry):
		e = httpx.BadRequest("expires must be between 1s and 168h")
	case errors.Is(err, storage.ErrSizeMismatch):
		e = httpx.BadRequest("the body length does not match Content-Length")
	case errors.Is(err, storage.ErrInvalidRange):
		e = httpx.NewError(http.StatusRequestedRangeNotSatisfiable, httpx.CodeBadRequest, "the range starts beyond the end of the file")
	case errors.Is(err, storage.ErrUnavailable):
		e = httpx.ServiceUnavailable("file storage is temporarily unavailable")
	case errors.Is(err, storage.ErrNotSupported):
		e = httpx.NewError(http.StatusNotImplemented, httpx.CodeInternal, "this storage backend cannot create links")
	default:
		return httpx.Internal(err)
	}
	return e.WithCause(err)
}
