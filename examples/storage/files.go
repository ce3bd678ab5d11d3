package main

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-playground/form/v4"

	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/storage"
)

// files serves a bucket over HTTP, each user within their own prefix.
type files struct {
	bucket   storage.Bucket
	maxBytes int64
}

// userPrefix is the bucket prefix that holds a user's files.
func userPrefix(userID int64) string {
	return "users/" + strconv.FormatInt(userID, 10) + "/"
}

// userKey maps the key in the request path to the bucket key of the user's
// file. The path key is validated on its own, so that an empty key cannot
// name the user's prefix itself.
func userKey(r *http.Request, userID int64) (string, error) {
	key := r.PathValue("key")
	if err := storage.ValidateKey(key); err != nil {
		return "", err
	}
	return userPrefix(userID) + key, nil
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

// toJSON describes a file with its key relative to the user's prefix.
func toJSON(a *storage.Attributes, prefix string) fileJSON {
	return fileJSON{Key: strings.TrimPrefix(a.Key, prefix), Size: a.Size, ContentType: a.ContentType, ETag: a.ETag, Updated: a.Updated, Metadata: a.Metadata}
}

// upload streams the request body into the bucket. A body over the limit is
// refused with 413 (at once when Content-Length says so, otherwise as soon as
// the limit is crossed) and nothing is stored.
func (f *files) upload(w http.ResponseWriter, r *http.Request, userID int64) {
	key, err := userKey(r, userID)
	if err != nil {
		httpx.WriteError(w, r, storageError(err))
		return
	}
	if r.ContentLength > f.maxBytes {
		httpx.WriteError(w, r, tooLarge(f.maxBytes))
		return
	}
	body := http.MaxBytesReader(w, r.Body, f.maxBytes)
	opts := storage.PutOptions{
		ContentType: r.Header.Get("Content-Type"),
		Size:        max(r.ContentLength, 0),
		Metadata:    map[string]string{"uploaded-by": "user-" + strconv.FormatInt(userID, 10)},
	}
	attrs, err := f.bucket.Put(r.Context(), key, body, opts)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			httpx.WriteError(w, r, tooLarge(f.maxBytes))
			return
		}
		httpx.WriteError(w, r, storageError(err))
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, toJSON(attrs, userPrefix(userID)))
}

func tooLarge(limit int64) *httpx.Error {
	return httpx.NewError(http.StatusRequestEntityTooLarge, httpx.CodePayloadTooLarge, fmt.Sprintf("uploads are limited to %d bytes", limit))
}

// download streams a file, or the single byte range the Range header asks
// for.
func (f *files) download(w http.ResponseWriter, r *http.Request, userID int64) {
	key, err := userKey(r, userID)
	if err != nil {
		httpx.WriteError(w, r, storageError(err))
		return
	}
	opts, ranged, err := parseRange(r.Header.Get("Range"))
	if err != nil {
		httpx.WriteError(w, r, httpx.BadRequest(err.Error()))
		return
	}
	rd, err := f.bucket.Get(r.Context(), key, opts)
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
func (f *files) remove(w http.ResponseWriter, r *http.Request, userID int64) {
	key, err := userKey(r, userID)
	if err == nil {
		err = f.bucket.Delete(r.Context(), key)
	}
	if err != nil {
		httpx.WriteError(w, r, storageError(err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// listQuery is the query of GET /api/v1/files.
type listQuery struct {
	Prefix    string `form:"prefix" validate:"max=1024"`
	Delimiter string `form:"delimiter" validate:"max=1"`
	PageSize  int    `form:"page_size" validate:"min=0,max=1000"`
	PageToken string `form:"page_token" validate:"max=4096"`
}

// list returns one page of the user's files under ?prefix=, grouped by
// ?delimiter=.
func (f *files) list(w http.ResponseWriter, r *http.Request, userID int64) {
	var q listQuery
	if err := decodeQuery(r, &q); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	prefix := userPrefix(userID)
	page, err := f.bucket.List(r.Context(), storage.ListOptions{
		Prefix:    prefix + q.Prefix,
		Delimiter: q.Delimiter,
		PageSize:  q.PageSize,
		PageToken: q.PageToken,
	})
	if err != nil {
		httpx.WriteError(w, r, storageError(err))
		return
	}
	out := struct {
		Files         []fileJSON `json:"files"`
		Prefixes      []string   `json:"prefixes"`
		NextPageToken string     `json:"next_page_token,omitempty"`
	}{Files: []fileJSON{}, Prefixes: []string{}, NextPageToken: page.NextPageToken}
	for i := range page.Objects {
		out.Files = append(out.Files, toJSON(&page.Objects[i], prefix))
	}
	for _, p := range page.Prefixes {
		out.Prefixes = append(out.Prefixes, strings.TrimPrefix(p, prefix))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

// linkQuery is the query of POST /api/v1/links/{key}.
type linkQuery struct {
	// Expires is a Go duration such as 15m (default 15m, at most 168h).
	Expires string `form:"expires" validate:"omitempty,max=32"`
}

// link returns a time-limited download URL (?expires=, a Go duration,
// default 15m). A link needs no token: it is how a user shares a file.
func (f *files) link(w http.ResponseWriter, r *http.Request, userID int64) {
	var q linkQuery
	if err := decodeQuery(r, &q); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	expiry := 15 * time.Minute
	if q.Expires != "" {
		d, err := time.ParseDuration(q.Expires)
		if err != nil || d < time.Second || d > storage.MaxSignedURLExpiry {
			httpx.WriteError(w, r, fieldError("expires", "must be a duration from 1s to 168h, such as 15m", "value_error.duration"))
			return
		}
		expiry = d
	}
	key, err := userKey(r, userID)
	if err != nil {
		httpx.WriteError(w, r, storageError(err))
		return
	}
	if _, err := f.bucket.Stat(r.Context(), key); err != nil {
		httpx.WriteError(w, r, storageError(err))
		return
	}
	u, err := f.bucket.SignedURL(r.Context(), key, expiry)
	if err != nil {
		httpx.WriteError(w, r, storageError(err))
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"url": absolute(r, u), "expires_at": time.Now().Add(expiry).UTC()})
}

// absolute resolves a link relative to the service (the memory bucket's,
// without PUBLIC_URL) against the request's host.
func absolute(r *http.Request, u string) string {
	if !strings.HasPrefix(u, "/") {
		return u
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + u
}

// queryDecoder fills `form`-tagged fields from a URL query.
var queryDecoder = form.NewDecoder()

// decodeQuery decodes and validates the URL query into dst; a value of the
// wrong type or a rule broken is a 422 naming the field.
func decodeQuery(r *http.Request, dst any) error {
	if err := queryDecoder.Decode(dst, r.URL.Query()); err != nil {
		var errs form.DecodeErrors
		if !errors.As(err, &errs) {
			return httpx.Internal(err)
		}
		ve := &httpx.ValidationError{}
		for _, name := range slices.Sorted(maps.Keys(errs)) {
			ve.Add([]string{"query", name}, "value is not of the expected type", "type_error")
		}
		return ve
	}
	return httpx.Validate(dst, "form")
}

// fieldError is a 422 naming one query field.
func fieldError(field, msg, typ string) error {
	return (&httpx.ValidationError{}).Add([]string{"query", field}, msg, typ)
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
