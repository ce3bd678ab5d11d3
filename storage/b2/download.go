package b2

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/groundwork-go/groundwork/storage"
)

// byName returns the download URL of the current version of key.
func (b *Bucket) byName(key string) func(account) string {
	return func(a account) string {
		return a.downloadURL + "/file/" + url.PathEscape(b.name) + "/" + escapeName(key)
	}
}

// byID returns the download URL of one file version.
func byID(id string) func(account) string {
	return func(a account) string {
		return a.downloadURL + "/b2api/v3/b2_download_file_by_id?fileId=" + url.QueryEscape(id)
	}
}

// fetch sends a download request (HEAD or GET, of the bytes [start, end) when
// end > start) with the shared authorization, retrying as retry does, and
// returns the 200 or 206 answer.
func (b *Bucket) fetch(ctx context.Context, method string, target func(account) string, start, end int64) (*http.Response, error) {
	var resp *http.Response
	err := retry(ctx, b.attempts, func(bool) error {
		acct, err := b.tr.account(ctx)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, method, target(acct), nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", acct.token)
		req.Header.Set("User-Agent", userAgent)
		if end > start {
			req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", start, end-1))
		}
		r, err := b.tr.RoundTrip(req)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			return &roundTripError{err}
		}
		if r.StatusCode != http.StatusOK && r.StatusCode != http.StatusPartialContent {
			defer r.Body.Close()
			return readAPIError(r)
		}
		resp = r
		return nil
	})
	return resp, err
}

// span returns the bytes [start, stop) of the file a download answer carries
// and the size of the whole file.
func span(resp *http.Response) (start, stop, size int64, err error) {
	if resp.StatusCode == http.StatusOK {
		size, err = strconv.ParseInt(resp.Header.Get("Content-Length"), 10, 64)
		if err != nil {
			return 0, 0, 0, fmt.Errorf("download answer without a valid Content-Length: %w", err)
		}
		return 0, size, size, nil
	}
	cr := resp.Header.Get("Content-Range")
	rng, total, ok := strings.Cut(strings.TrimPrefix(cr, "bytes "), "/")
	first, last, ok2 := strings.Cut(rng, "-")
	start, err1 := strconv.ParseInt(first, 10, 64)
	end, err2 := strconv.ParseInt(last, 10, 64)
	size, err3 := strconv.ParseInt(total, 10, 64)
	if !ok || !ok2 || err1 != nil || err2 != nil || err3 != nil || start > end || end >= size {
		return 0, 0, 0, fmt.Errorf("download answer with an invalid Content-Range %q", cr)
	}
	return start, end + 1, size, nil
}

// headAttrs builds an object's attributes and file ID from the headers of a
// download answer.
func headAttrs(key string, h http.Header, size int64) (string, storage.Attributes, error) {
	id := h.Get("X-Bz-File-Id")
	if id == "" {
		return "", storage.Attributes{}, fmt.Errorf("download answer without X-Bz-File-Id")
	}
	a := storage.Attributes{Key: key, Size: size, ContentType: h.Get("Content-Type"), ETag: id, Metadata: map[string]string{}}
	if ms, err := strconv.ParseInt(h.Get("X-Bz-Upload-Timestamp"), 10, 64); err == nil {
		a.Updated = time.UnixMilli(ms).UTC()
	}
	for k, v := range h {
		rest, ok := strings.CutPrefix(k, "X-Bz-Info-")
		if !ok || len(v) == 0 {
			continue
		}
		name, err1 := url.QueryUnescape(rest)
		val, err2 := url.QueryUnescape(v[0])
		if err1 != nil || err2 != nil {
			return "", storage.Attributes{}, fmt.Errorf("download answer with an invalid header %s", k)
		}
		if name = strings.ToLower(name); name != "large_file_sha1" && name != "src_last_modified_millis" {
			a.Metadata[name] = val
		}
	}
	return id, a, nil
}

// reader streams the bytes [pos, end) of one file version. It continues the
// first answer's body, then fetches the rest by file ID in ranged GETs of
// Options.DownloadChunkSize bytes, so a concurrent overwrite of the name
// cannot change what it returns. A body that breaks off is fetched again
// from where it broke, up to Options.MaxAttempts times in a row.
type reader struct {
	b       *Bucket
	ctx     context.Context
	op      *op
	key, id string
	pos     int64
	end     int64
	body    io.ReadCloser
	bodyEnd int64 // position where the current body's useful bytes end
	err     error
	closed  bool
	broken  int // bodies that broke off in a row
}

func (r *reader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if r.pos >= r.end {
		return 0, io.EOF
	}
	if r.body == nil {
		if err := r.next(); err != nil {
			r.err = wrapErr("read", r.key, r.op, err)
			return 0, r.err
		}
	}
	if rem := r.bodyEnd - r.pos; int64(len(p)) > rem {
		p = p[:rem]
	}
	n, err := r.body.Read(p)
	r.pos += int64(n)
	switch {
	case r.pos == r.bodyEnd:
		r.body.Close()
		r.body, err, r.broken = nil, nil, 0
	case err == io.EOF:
		err = io.ErrUnexpectedEOF
	}
	if err != nil && r.ctx.Err() == nil && r.broken+1 < r.b.attempts {
		// The connection broke inside a chunk. The version is pinned,
		// so the rest of it can be fetched again from where it broke.
		r.body.Close()
		r.body = nil
		r.broken++
		if n == 0 {
			return r.Read(p)
		}
		err = nil
	}
	if err != nil {
		if r.ctx.Err() == nil {
			err = fmt.Errorf("%w: %d downloads broke off: %w", storage.ErrUnavailable, r.broken+1, err)
		}
		r.err = wrapErr("read", r.key, r.op, err)
		return n, r.err
	}
	if r.pos >= r.end {
		return n, io.EOF
	}
	return n, nil
}

// next fetches the following chunk of the pinned file version.
func (r *reader) next() error {
	resp, err := r.b.fetch(r.ctx, http.MethodGet, byID(r.id), r.pos, min(r.pos+int64(r.b.download), r.end))
	if err != nil {
		return err
	}
	if got := resp.Header.Get("X-Bz-File-Id"); got != r.id {
		resp.Body.Close()
		return fmt.Errorf("%w: file %s was replaced by %s during the read", storage.ErrNotExist, r.id, got)
	}
	return r.use(resp)
}

// use makes resp's body the current one, positioned at r.pos.
func (r *reader) use(resp *http.Response) error {
	start, stop, _, err := span(resp)
	if err == nil && (start > r.pos || stop <= r.pos) {
		err = fmt.Errorf("download answer holds bytes %d-%d, want byte %d", start, stop-1, r.pos)
	}
	if err == nil && start < r.pos {
		// The service sent more than was asked for; skip to the position.
		_, err = io.CopyN(io.Discard, resp.Body, r.pos-start)
	}
	if err != nil {
		resp.Body.Close()
		return err
	}
	r.body, r.bodyEnd = resp.Body, min(stop, r.end)
	return nil
}

func (r *reader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if r.body != nil {
		r.body.Close()
	}
	r.op.end()
	return nil
}
