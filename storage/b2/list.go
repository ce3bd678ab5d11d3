package b2

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/Backblaze/blazer/base"

	"github.com/groundwork-go/groundwork/storage"
	"github.com/groundwork-go/groundwork/storage/driver"
)

// lister lists and deletes through blazer's base API, which exposes B2's
// startFileName cursor: the high-level iterator cannot resume a listing from a
// page token, and deleting every version of a name needs the version list.
type lister struct {
	keyID, appKey, bucketName, apiBase string
	transport                          http.RoundTripper
	attempts                           int

	mu     sync.Mutex
	bucket *base.Bucket
}

func newLister(keyID, appKey, bucketName, apiBase string, rt http.RoundTripper, attempts int) *lister {
	return &lister{keyID: keyID, appKey: appKey, bucketName: bucketName, apiBase: apiBase, transport: rt, attempts: attempts}
}

// get returns the authorized base bucket, authorizing on first use or when
// fresh is set (after the service rejected the token).
func (l *lister) get(ctx context.Context, fresh bool) (*base.Bucket, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.bucket != nil && !fresh {
		return l.bucket, nil
	}
	opts := []base.AuthOption{base.Transport(l.transport), base.UserAgent(userAgent)}
	if l.apiBase != "" {
		opts = append(opts, base.SetAPIBase(l.apiBase))
	}
	acct, err := base.AuthorizeAccount(ctx, l.keyID, l.appKey, opts...)
	if err != nil {
		return nil, err
	}
	buckets, err := acct.ListBuckets(ctx, l.bucketName)
	if err != nil {
		return nil, err
	}
	for _, b := range buckets {
		if b.Name == l.bucketName {
			l.bucket = b
			return b, nil
		}
	}
	return nil, fmt.Errorf("bucket %q: %w", l.bucketName, storage.ErrNotExist)
}

// call runs fn against the bucket, renewing an expired authorization once
// and retrying what B2 marks as transient, as retry does.
func (l *lister) call(ctx context.Context, fn func(*base.Bucket) error) error {
	return retry(ctx, l.attempts, func(fresh bool) error {
		b, err := l.get(ctx, fresh)
		if err != nil {
			return err
		}
		return fn(b)
	})
}

// List returns one page of the current (not hidden) files. B2 reports a
// delimiter group as a "folder" entry, which becomes a prefix.
func (b *Bucket) List(ctx context.Context, opts storage.ListOptions) (*storage.ListPage, error) {
	after, err := driver.DecodePageToken(opts.PageToken)
	if err != nil {
		return nil, fmt.Errorf("b2: list: %w", err)
	}
	size := opts.PageSize
	if size <= 0 {
		size = storage.DefaultPageSize
	}
	ctx, o := b.begin(ctx)
	defer o.end()
	pb := driver.NewPageBuilder(opts)
	start := after
	for {
		var files []*base.File
		var next string
		err := b.lister.call(ctx, func(bk *base.Bucket) error {
			var lerr error
			files, next, lerr = bk.ListFileNames(ctx, min(size+1, 1000), start, opts.Prefix, opts.Delimiter)
			return lerr
		})
		if err != nil {
			return nil, wrapErr("list", opts.Prefix, o, err)
		}
		for _, f := range files {
			if pb.SkipKey(f.Name, after) {
				continue
			}
			if !pb.Add(f.Name, func() storage.Attributes { return attrsOfFile(f) }) {
				return pb.Page(), nil
			}
		}
		if next == "" {
			return pb.Page(), nil
		}
		start = next
	}
}

func attrsOfFile(f *base.File) storage.Attributes {
	a := storage.Attributes{Key: f.Name, Size: f.Size, ETag: f.ID, Updated: f.Timestamp.UTC(), Metadata: map[string]string{}}
	if f.Info != nil {
		a.ContentType = f.Info.ContentType
		for k, v := range f.Info.Info {
			if k != "large_file_sha1" && k != "src_last_modified_millis" {
				a.Metadata[k] = v
			}
		}
	}
	return a
}

// Delete removes every version of the object, so that an older version does
// not reappear. It fails with storage.ErrNotExist when the name has no
// current version.
func (b *Bucket) Delete(ctx context.Context, key string) error {
	if err := storage.ValidateKey(key); err != nil {
		return fmt.Errorf("b2: delete %q: %w", key, err)
	}
	ctx, o := b.begin(ctx)
	defer o.end()
	var versions []*base.File
	startName, startID := key, ""
	for {
		var files []*base.File
		var nextName, nextID string
		err := b.lister.call(ctx, func(bk *base.Bucket) error {
			var lerr error
			files, nextName, nextID, lerr = bk.ListFileVersions(ctx, 100, startName, startID, key, "")
			return lerr
		})
		if err != nil {
			return wrapErr("delete", key, o, err)
		}
		done := nextName != key
		for _, f := range files {
			if f.Name != key {
				done = true
				break
			}
			versions = append(versions, f)
		}
		if done || nextName == "" {
			break
		}
		startName, startID = nextName, nextID
	}
	if len(versions) == 0 || versions[0].Status != "upload" {
		return fmt.Errorf("b2: delete %q: %w", key, storage.ErrNotExist)
	}
	for _, f := range versions {
		err := b.lister.call(ctx, func(*base.Bucket) error { return f.DeleteFileVersion(ctx) })
		if err != nil && codeOf(err) != http.StatusNotFound {
			return wrapErr("delete", key, o, err)
		}
	}
	return nil
}

// cancelUnfinished cancels the unfinished large files called name that were
// started at or after since, the leftovers of a failed Put. Errors are
// ignored: the upload has already failed and the parts only cost storage.
func (l *lister) cancelUnfinished(ctx context.Context, name string, since time.Time) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cont := ""
	for {
		var files []*base.File
		err := l.call(ctx, func(bk *base.Bucket) error {
			var lerr error
			files, cont, lerr = bk.ListUnfinishedLargeFiles(ctx, 100, cont)
			return lerr
		})
		if err != nil {
			return
		}
		for _, f := range files {
			if f.Name == name && !f.Timestamp.Before(since.Truncate(time.Millisecond)) {
				l.call(ctx, func(*base.Bucket) error { return f.AsLargeFile().CancelLargeFile(ctx) })
			}
		}
		if cont == "" {
			return
		}
	}
}
