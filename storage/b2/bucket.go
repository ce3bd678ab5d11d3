package b2

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strconv"
	"time"

	"github.com/Backblaze/blazer/b2"

	"github.com/groundwork-go/groundwork/storage"
	"github.com/groundwork-go/groundwork/storage/driver"
)

// DefaultChunkSize is the upload part size used when Options.ChunkSize is zero.
const DefaultChunkSize = 16 << 20

// Defaults of the Options that bound retries.
const (
	// DefaultMaxAttempts is the Options.MaxAttempts used when it is zero.
	DefaultMaxAttempts = 4
	// DefaultMaxRetryTime is the Options.MaxRetryTime used when it is zero.
	DefaultMaxRetryTime = 30 * time.Second
	// DefaultIdleTimeout is the Options.IdleTimeout used when it is zero.
	DefaultIdleTimeout = time.Minute
)

const userAgent = "groundwork-storage"

// Options configures a Bucket. The zero value talks to the public B2 API.
type Options struct {
	// APIBase is the B2 API base URL. Default: "https://api.backblazeb2.com".
	APIBase string
	// Transport carries the HTTP requests. Default: http.DefaultTransport.
	Transport http.RoundTripper
	// ChunkSize is the part size of large-file uploads and the size above
	// which an upload becomes a large file. One chunk per concurrent upload is
	// buffered in memory. B2 requires at least 5 MB. Default: DefaultChunkSize.
	ChunkSize int
	// ConcurrentUploads is how many parts of a large file are sent at once.
	// Default: 1.
	ConcurrentUploads int
	// DownloadChunkSize is the size of each ranged GET a download is split
	// into. Default: 8 MiB.
	DownloadChunkSize int
	// MaxAttempts bounds how often a request is tried when B2 answers 429 or
	// 5xx or the connection fails: after that many such failures in a row an
	// operation fails with storage.ErrUnavailable. Default: DefaultMaxAttempts.
	MaxAttempts int
	// MaxRetryTime bounds how long an operation keeps retrying, counted from
	// the first of a run of failures (a success starts the count again);
	// then it fails with storage.ErrUnavailable even while a Retry-After
	// asks for a longer wait. Default: DefaultMaxRetryTime.
	MaxRetryTime time.Duration
	// IdleTimeout bounds how long one request may make no progress: while
	// its body is sent, while its answer is awaited, and while a read of a
	// download waits for the next bytes. A request that stalls that long is
	// cancelled and counts as a failed attempt (a stalled download fails the
	// read with storage.ErrUnavailable). Default: DefaultIdleTimeout.
	IdleTimeout time.Duration
}

// Bucket is a storage.Bucket backed by one B2 bucket.
type Bucket struct {
	name     string
	bucket   *b2.Bucket
	lister   *lister
	tr       *transport
	chunk    int
	uploads  int
	download int
	attempts int
	retryFor time.Duration
}

var _ storage.Bucket = (*Bucket)(nil)

// New authorizes the application key and opens the bucket called name. The
// authorization is shared by everything the Bucket does and renewed when B2
// reports it expired.
func New(ctx context.Context, keyID, applicationKey, name string, opts Options) (*Bucket, error) {
	tr := newTransport(opts.Transport, keyID, applicationKey, opts.APIBase, cmp.Or(max(opts.IdleTimeout, 0), DefaultIdleTimeout))
	b := &Bucket{
		name:     name,
		tr:       tr,
		chunk:    cmp.Or(max(opts.ChunkSize, 0), DefaultChunkSize),
		uploads:  cmp.Or(max(opts.ConcurrentUploads, 0), 1),
		download: cmp.Or(max(opts.DownloadChunkSize, 0), 8<<20),
		attempts: cmp.Or(max(opts.MaxAttempts, 0), DefaultMaxAttempts),
		retryFor: cmp.Or(max(opts.MaxRetryTime, 0), DefaultMaxRetryTime),
	}
	copts := []b2.ClientOption{b2.Transport(tr), b2.UserAgent(userAgent)}
	if opts.APIBase != "" {
		copts = append(copts, b2.APIBase(opts.APIBase))
	}
	ctx, o := b.begin(ctx)
	defer o.end()
	client, err := b2.NewClient(ctx, keyID, applicationKey, copts...)
	if err != nil {
		return nil, wrapErr("authorize", "", o, err)
	}
	if b.bucket, err = client.Bucket(ctx, name); err != nil {
		return nil, wrapErr("open bucket", name, o, err)
	}
	b.lister = newLister(keyID, applicationKey, name, opts.APIBase, tr, b.attempts)
	return b, nil
}

// Put streams r into a new version of the object. On any error, including
// storage.ErrSizeMismatch, the upload is abandoned (a started large file is
// cancelled) and no new version becomes visible.
func (b *Bucket) Put(ctx context.Context, key string, r io.Reader, opts storage.PutOptions) (*storage.Attributes, error) {
	if err := storage.ValidateKey(key); err != nil {
		return nil, fmt.Errorf("b2: put %q: %w", key, err)
	}
	ct := opts.ContentType
	if ct == "" {
		ct = storage.DefaultContentType
	}
	ctx, o := b.begin(ctx)
	defer o.end()
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	started := time.Now()
	obj := b.bucket.Object(key)
	w := obj.NewWriter(wctx, b2.WithAttrsOption(&b2.Attrs{ContentType: ct, Info: maps.Clone(opts.Metadata)}))
	w.ChunkSize = b.chunk
	w.ConcurrentUploads = b.uploads
	// Hide the reader's concrete type so blazer streams it through its
	// buffer instead of seeking it.
	n, err := io.Copy(w, struct{ io.Reader }{driver.CheckSize(r, opts.Size)})
	if err != nil {
		cancel()
		w.Close()
	} else {
		err = w.Close()
	}
	if err != nil {
		if n >= int64(b.chunk) {
			// A large file was started; cancel its parts so they are not
			// kept (and billed) forever.
			cctx, co := b.begin(context.WithoutCancel(ctx))
			b.lister.cancelUnfinished(cctx, key, started)
			co.end()
		}
		return nil, wrapErr("put", key, o, err)
	}
	return b.attrs(ctx, "put", key, obj, o)
}

// Get streams the requested range with ranged GETs of
// Options.DownloadChunkSize bytes. The first GET is by name and also yields
// the attributes; the following ones are by the file ID it returned, so the
// content read is that of one version even if the object is overwritten
// meanwhile. If that version is deleted before the read ends, reading fails
// with storage.ErrNotExist. ctx bounds the whole read.
func (b *Bucket) Get(ctx context.Context, key string, opts storage.GetOptions) (*storage.Reader, error) {
	if err := storage.ValidateKey(key); err != nil {
		return nil, fmt.Errorf("b2: get %q: %w", key, err)
	}
	if opts.Offset < 0 || opts.Length < 0 {
		return nil, fmt.Errorf("b2: get %q: %w: negative offset or length", key, storage.ErrInvalidRange)
	}
	ctx, o := b.begin(ctx)
	rd, err := b.open(ctx, o, key, opts)
	if err != nil {
		o.end()
		return nil, wrapErr("get", key, o, err)
	}
	return rd, nil
}

// open makes the first GET of a read and returns a reader for the rest.
func (b *Bucket) open(ctx context.Context, o *op, key string, opts storage.GetOptions) (*storage.Reader, error) {
	first := int64(b.download)
	if opts.Length > 0 {
		first = min(first, opts.Length)
	}
	resp, err := b.fetch(ctx, http.MethodGet, b.byName(key), opts.Offset, opts.Offset+first)
	if codeOf(err) == http.StatusRequestedRangeNotSatisfiable {
		// The range starts at or past the end, which for an empty
		// object is any range: take the attributes from a HEAD.
		return b.openEmpty(ctx, o, key, opts)
	}
	if err != nil {
		return nil, err
	}
	_, _, size, err := span(resp)
	if err != nil {
		resp.Body.Close()
		return nil, err
	}
	id, attrs, err := headAttrs(key, resp.Header, size)
	if err != nil {
		resp.Body.Close()
		return nil, err
	}
	start, end, err := driver.ResolveRange(size, opts)
	if err != nil {
		resp.Body.Close()
		return nil, err
	}
	r := &reader{b: b, ctx: ctx, op: o, key: key, id: id, pos: start, end: end}
	if start == end {
		resp.Body.Close()
	} else if err := r.use(resp); err != nil {
		return nil, err
	}
	return driver.NewReader(attrs, r), nil
}

// openEmpty handles a first GET that B2 answered 416: the object is empty or
// the range starts past its end.
func (b *Bucket) openEmpty(ctx context.Context, o *op, key string, opts storage.GetOptions) (*storage.Reader, error) {
	id, attrs, err := b.head(ctx, key)
	if err != nil {
		return nil, err
	}
	start, end, err := driver.ResolveRange(attrs.Size, opts)
	if err != nil {
		return nil, err
	}
	return driver.NewReader(attrs, &reader{b: b, ctx: ctx, op: o, key: key, id: id, pos: start, end: end}), nil
}

// Stat returns the object's attributes from one HEAD of the file by name.
func (b *Bucket) Stat(ctx context.Context, key string) (*storage.Attributes, error) {
	if err := storage.ValidateKey(key); err != nil {
		return nil, fmt.Errorf("b2: stat %q: %w", key, err)
	}
	ctx, o := b.begin(ctx)
	defer o.end()
	_, attrs, err := b.head(ctx, key)
	if err != nil {
		return nil, wrapErr("stat", key, o, err)
	}
	return &attrs, nil
}

// head returns the file ID and attributes of the current version of key.
func (b *Bucket) head(ctx context.Context, key string) (string, storage.Attributes, error) {
	resp, err := b.fetch(ctx, http.MethodHead, b.byName(key), 0, 0)
	if err != nil {
		return "", storage.Attributes{}, err
	}
	resp.Body.Close()
	size, err := strconv.ParseInt(resp.Header.Get("Content-Length"), 10, 64)
	if err != nil {
		return "", storage.Attributes{}, fmt.Errorf("HEAD answer without a valid Content-Length: %w", err)
	}
	return headAttrs(key, resp.Header, size)
}

func (b *Bucket) attrs(ctx context.Context, op, key string, obj *b2.Object, o *op) (*storage.Attributes, error) {
	a, err := obj.Attrs(ctx)
	if err != nil {
		return nil, wrapErr(op, key, o, err)
	}
	md := maps.Clone(a.Info)
	if md == nil {
		md = map[string]string{}
	}
	delete(md, "large_file_sha1")
	delete(md, "src_last_modified_millis")
	return &storage.Attributes{
		Key:         key,
		Size:        a.Size,
		ContentType: a.ContentType,
		Metadata:    md,
		ETag:        obj.ID(),
		Updated:     a.UploadTimestamp.UTC(),
	}, nil
}
