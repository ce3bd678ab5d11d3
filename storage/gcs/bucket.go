package gcs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"time"

	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	gstorage "google.golang.org/api/storage/v1"

	"github.com/groundwork-go/groundwork/storage"
	"github.com/groundwork-go/groundwork/storage/driver"
)

// DefaultChunkSize is the upload chunk size used when Options.ChunkSize is zero.
const DefaultChunkSize = 16 << 20

// Options configures a Bucket. The zero value uses application default
// credentials against the public endpoint and cannot sign URLs unless the
// default credentials are a service-account key.
type Options struct {
	// CredentialsJSON is a service-account key file. It authenticates the
	// client and, through its private key, signs URLs. Default: none,
	// application default credentials are used.
	CredentialsJSON []byte
	// HTTPClient replaces the authenticated client, for tests against a fake
	// or for callers that build their own transport. Default: none.
	HTTPClient *http.Client
	// Endpoint is the JSON API base URL, for example
	// "http://localhost:4443/storage/v1/". Default: the public endpoint.
	Endpoint string
	// ChunkSize is the piece size of resumable uploads; objects smaller than
	// it are sent in one request. It is rounded up to a multiple of 256 KiB and
	// each in-flight chunk is buffered in memory. Default: DefaultChunkSize.
	ChunkSize int
	// MaxAttempts bounds how often a read or listing is tried when the service
	// answers 429 or 5xx. Default: 4.
	MaxAttempts int
	// Signer signs URLs. Default: a KeySigner built from CredentialsJSON when
	// it is a service-account key; otherwise an IAMSigner for SigningEmail
	// when that is set; otherwise SignedURL fails with storage.ErrNotSupported.
	Signer Signer
	// SigningEmail is the service account that signs URLs through the IAM
	// Credentials signBlob API when no private key is available (for example
	// on Cloud Run). Default: none.
	SigningEmail string
	// IAMEndpoint is the IAM Credentials API base URL used by that signer.
	// Default: the public endpoint.
	IAMEndpoint string
	// SignedURLScheme and SignedURLHost say where signed URLs point. Defaults:
	// "https" and "storage.googleapis.com".
	SignedURLScheme string
	// SignedURLHost is the host (and optional port) of signed URLs; see
	// SignedURLScheme.
	SignedURLHost string
	// Now returns the current time for signing. Default: time.Now.
	Now func() time.Time
}

// Bucket is a storage.Bucket backed by one Google Cloud Storage bucket.
type Bucket struct {
	name   string
	svc    *gstorage.Service
	chunk  int
	retry  retryPolicy
	signer Signer
	scheme string
	host   string
	now    func() time.Time
}

var _ storage.Bucket = (*Bucket)(nil)

// New returns a Bucket for the bucket called name. It does not contact the
// service; a missing bucket shows up as an error from the first operation.
func New(ctx context.Context, name string, opts Options) (*Bucket, error) {
	var copts []option.ClientOption
	switch {
	case opts.HTTPClient != nil:
		copts = append(copts, option.WithHTTPClient(opts.HTTPClient))
	case len(opts.CredentialsJSON) > 0:
		copts = append(copts, option.WithAuthCredentialsJSON(option.ServiceAccount, opts.CredentialsJSON))
	}
	if opts.Endpoint != "" {
		copts = append(copts, option.WithEndpoint(opts.Endpoint))
	}
	svc, err := gstorage.NewService(ctx, copts...)
	if err != nil {
		return nil, fmt.Errorf("gcs: new client: %w", err)
	}
	b := &Bucket{
		name:   name,
		svc:    svc,
		chunk:  opts.ChunkSize,
		retry:  retryPolicy{attempts: opts.MaxAttempts, sleep: sleepCtx},
		signer: opts.Signer,
		scheme: opts.SignedURLScheme,
		host:   opts.SignedURLHost,
		now:    opts.Now,
	}
	if b.chunk <= 0 {
		b.chunk = DefaultChunkSize
	}
	if b.retry.attempts <= 0 {
		b.retry.attempts = 4
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.signer == nil {
		if b.signer, err = defaultSigner(ctx, opts); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// defaultSigner picks the service-account key from the credentials, or the
// IAM signBlob API for SigningEmail, or nothing.
func defaultSigner(ctx context.Context, opts Options) (Signer, error) {
	if len(opts.CredentialsJSON) > 0 {
		if ks, err := KeySignerFromJSON(opts.CredentialsJSON); err == nil {
			return ks, nil
		}
	}
	if opts.SigningEmail == "" {
		return nil, nil
	}
	var iamOpts []option.ClientOption
	switch {
	case opts.HTTPClient != nil:
		iamOpts = append(iamOpts, option.WithHTTPClient(opts.HTTPClient))
	case len(opts.CredentialsJSON) > 0:
		iamOpts = append(iamOpts, option.WithAuthCredentialsJSON(option.ServiceAccount, opts.CredentialsJSON))
	}
	if opts.IAMEndpoint != "" {
		iamOpts = append(iamOpts, option.WithEndpoint(opts.IAMEndpoint))
	}
	return NewIAMSigner(ctx, opts.SigningEmail, iamOpts...)
}

// Put uploads r. Content shorter than Options.ChunkSize goes in one multipart
// request; longer content is sent as a resumable upload, chunk by chunk.
func (b *Bucket) Put(ctx context.Context, key string, r io.Reader, opts storage.PutOptions) (*storage.Attributes, error) {
	if err := storage.ValidateKey(key); err != nil {
		return nil, fmt.Errorf("gcs: put %q: %w", key, err)
	}
	ct := opts.ContentType
	if ct == "" {
		ct = storage.DefaultContentType
	}
	obj := &gstorage.Object{Name: key, ContentType: ct, Metadata: maps.Clone(opts.Metadata)}
	body := driver.CheckSize(r, opts.Size)
	got, err := b.svc.Objects.Insert(b.name, obj).
		Media(body, googleapi.ContentType(ct), googleapi.ChunkSize(b.chunk)).
		Context(ctx).Do()
	if err != nil {
		return nil, wrapErr("put", key, err)
	}
	return attrsOf(got), nil
}

// Get reads the object's metadata, then downloads the requested range of
// exactly that generation.
func (b *Bucket) Get(ctx context.Context, key string, opts storage.GetOptions) (*storage.Reader, error) {
	attrs, gen, err := b.stat(ctx, "get", key)
	if err != nil {
		return nil, err
	}
	start, end, err := driver.ResolveRange(attrs.Size, opts)
	if err != nil {
		return nil, fmt.Errorf("gcs: get %q: %w", key, err)
	}
	if start == end {
		return driver.NewReader(*attrs, http.NoBody), nil
	}
	var resp *http.Response
	err = b.retry.do(ctx, func() error {
		call := b.svc.Objects.Get(b.name, key).IfGenerationMatch(gen).Context(ctx)
		call.Header().Set("Range", fmt.Sprintf("bytes=%d-%d", start, end-1))
		var derr error
		resp, derr = call.Download()
		return derr
	})
	if err != nil {
		return nil, wrapErr("get", key, err)
	}
	return driver.NewReader(*attrs, resp.Body), nil
}

// Stat returns the object's attributes.
func (b *Bucket) Stat(ctx context.Context, key string) (*storage.Attributes, error) {
	attrs, _, err := b.stat(ctx, "stat", key)
	return attrs, err
}

func (b *Bucket) stat(ctx context.Context, op, key string) (*storage.Attributes, int64, error) {
	if err := storage.ValidateKey(key); err != nil {
		return nil, 0, fmt.Errorf("gcs: %s %q: %w", op, key, err)
	}
	var obj *gstorage.Object
	err := b.retry.do(ctx, func() error {
		var gerr error
		obj, gerr = b.svc.Objects.Get(b.name, key).Context(ctx).Do()
		return gerr
	})
	if err != nil {
		return nil, 0, wrapErr(op, key, err)
	}
	return attrsOf(obj), obj.Generation, nil
}

// Delete removes the object. It is not retried: a retry after a lost answer
// would report ErrNotExist for an object that was deleted.
func (b *Bucket) Delete(ctx context.Context, key string) error {
	if err := storage.ValidateKey(key); err != nil {
		return fmt.Errorf("gcs: delete %q: %w", key, err)
	}
	if err := b.svc.Objects.Delete(b.name, key).Context(ctx).Do(); err != nil {
		return wrapErr("delete", key, err)
	}
	return nil
}

func attrsOf(o *gstorage.Object) *storage.Attributes {
	md := maps.Clone(o.Metadata)
	if md == nil {
		md = map[string]string{}
	}
	updated, err := time.Parse(time.RFC3339Nano, o.Updated)
	if err != nil {
		updated = time.Time{}
	}
	etag := o.Etag
	if etag == "" {
		etag = fmt.Sprint(o.Generation)
	}
	return &storage.Attributes{
		Key:         o.Name,
		Size:        int64(o.Size),
		ContentType: o.ContentType,
		Metadata:    md,
		ETag:        etag,
		Updated:     updated,
	}
}

// statusOf returns the HTTP status of a googleapi error, or 0.
func statusOf(err error) int {
	var gerr *googleapi.Error
	if errors.As(err, &gerr) {
		return gerr.Code
	}
	return 0
}
