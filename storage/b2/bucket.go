package b2

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"time"

	"github.com/Backblaze/blazer/b2"

	"github.com/groundwork-go/groundwork/storage"
)

// DefaultChunkSize is the upload part size used when Options.ChunkSize is zero.
const DefaultChunkSize = 16 << 20

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
	// into; one chunk is buffered in memory. Default: 8 MiB.
	DownloadChunkSize int
}

// Bucket is a storage.Bucket backed by one B2 bucket.
type Bucket struct {
	bucket   *b2.Bucket
	lister   *lister
	tracker  *statusTransport
	chunk    int
	uploads  int
	download int
}

var _ storage.Bucket = (*Bucket)(nil)

// New authorizes the application key and opens the bucket called name.
func New(ctx context.Context, keyID, applicationKey, name string, opts Options) (*Bucket, error) {
	tr := &statusTransport{next: opts.Transport}
	if tr.next == nil {
		tr.next = http.DefaultTransport
	}
	copts := []b2.ClientOption{b2.Transport(tr), b2.UserAgent("groundwork-storage")}
	if opts.APIBase != "" {
		copts = append(copts, b2.APIBase(opts.APIBase))
	}
	ctx, st := trackStatus(ctx)
	client, err := b2.NewClient(ctx, keyID, applicationKey, copts...)
	if err != nil {
		return nil, wrapErr("authorize", "", st, err)
	}
	bucket, err := client.Bucket(ctx, name)
	if err != nil {
		return nil, wrapErr("open bucket", name, st, err)
	}
	b := &Bucket{
		bucket:   bucket,
		lister:   newLister(keyID, applicationKey, name, opts.APIBase, tr),
		tracker:  tr,
		chunk:    opts.ChunkSize,
		uploads:  opts.ConcurrentUploads,
		download: opts.DownloadChunkSize,
	}
	if b.chunk <= 0 {
		b.chunk = DefaultChunkSize
	}
	if b.uploads <= 0 {
		b.uploads = 1
	}
	if b.download <= 0 {
		b.download = 8 << 20
	}
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
	ctx, st := trackStatus(ctx)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	started := time.Now()
	obj := b.bucket.Object(key)
	w := obj.NewWriter(wctx, b2.WithAttrsOption(&b2.Attrs{ContentType: ct, Info: maps.Clone(opts.Metadata)}))
	w.ChunkSize = b.chunk
	w.ConcurrentUploads = b.uploads
	// Hide the reader's concrete type so blazer streams it through its
	// buffer instead of seeking it.
	n, err := io.Copy(w, struct{ io.Reader }{storage.CheckSize(r, opts.Size)})
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
			b.lister.cancelUnfinished(context.WithoutCancel(ctx), key, started)
		}
		return nil, wrapErr("put", key, st, err)
	}
	return b.attrs(ctx, "put", key, obj, st)
}

// Get reads the object's attributes, then streams the requested range with
// ranged GETs of Options.DownloadChunkSize bytes.
func (b *Bucket) Get(ctx context.Context, key string, opts storage.GetOptions) (*storage.Reader, error) {
	if err := storage.ValidateKey(key); err != nil {
		return nil, fmt.Errorf("b2: get %q: %w", key, err)
	}
	ctx, st := trackStatus(ctx)
	obj := b.bucket.Object(key)
	attrs, err := b.attrs(ctx, "get", key, obj, st)
	if err != nil {
		return nil, err
	}
	start, end, err := storage.ResolveRange(attrs.Size, opts)
	if err != nil {
		return nil, fmt.Errorf("b2: get %q: %w", key, err)
	}
	if start == end {
		return storage.NewReader(*attrs, http.NoBody), nil
	}
	rd := obj.NewRangeReader(ctx, start, end-start)
	rd.ChunkSize = b.download
	return storage.NewReader(*attrs, &reader{rd: rd, key: key, st: st}), nil
}

// reader maps the errors of a blazer download onto the storage sentinels.
type reader struct {
	rd  *b2.Reader
	key string
	st  *status
}

func (r *reader) Read(p []byte) (int, error) {
	n, err := r.rd.Read(p)
	if err != nil && err != io.EOF {
		err = wrapErr("read", r.key, r.st, err)
	}
	return n, err
}

func (r *reader) Close() error { return r.rd.Close() }

// Stat returns the object's attributes (a HEAD of the file by name, then
// b2_get_file_info).
func (b *Bucket) Stat(ctx context.Context, key string) (*storage.Attributes, error) {
	if err := storage.ValidateKey(key); err != nil {
		return nil, fmt.Errorf("b2: stat %q: %w", key, err)
	}
	ctx, st := trackStatus(ctx)
	return b.attrs(ctx, "stat", key, b.bucket.Object(key), st)
}

func (b *Bucket) attrs(ctx context.Context, op, key string, obj *b2.Object, st *status) (*storage.Attributes, error) {
	a, err := obj.Attrs(ctx)
	if err != nil {
		return nil, wrapErr(op, key, st, err)
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
