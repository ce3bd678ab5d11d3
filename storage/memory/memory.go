// Package memory implements storage.Bucket in process memory, for tests and
// for single-process setups that need no cloud account. It passes the same
// conformance suite (storage/storagetest) as the cloud backends, and can serve
// its own signed URLs over HTTP:
//
//	bucket := memory.New(memory.Options{BaseURL: "https://api.example.com/files"})
//	mux.Handle("/files/", http.StripPrefix("/files", bucket))
//	url, err := bucket.SignedURL(ctx, "avatars/42.png", 15*time.Minute)
package memory

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/groundwork-go/groundwork/storage"
	"github.com/groundwork-go/groundwork/storage/driver"
)

// Options configures a Bucket. The zero value works; signed URLs
// then fail with storage.ErrNotSupported.
type Options struct {
	// BaseURL is where the bucket's ServeHTTP handler is reachable, for example
	// "https://api.example.com/files". SignedURL returns BaseURL + "/" + key
	// plus a signature. Default: "", signed URLs are not supported.
	BaseURL string
	// Secret is the HMAC key signed URLs are signed with. Default: 32 random
	// bytes, so URLs stay valid only for the life of the process.
	Secret []byte
	// Now returns the current time. Default: time.Now.
	Now func() time.Time
}

// Bucket is a storage.Bucket that keeps objects in memory. It is meant for tests
// and single-process development setups; content is lost when the process ends.
type Bucket struct {
	baseURL string
	secret  []byte
	now     func() time.Time

	mu      sync.RWMutex
	objects map[string]memoryObject
	gen     int64
}

type memoryObject struct {
	attrs storage.Attributes
	data  []byte
}

var _ storage.Bucket = (*Bucket)(nil)

// New returns an empty Bucket.
func New(opts Options) *Bucket {
	b := &Bucket{
		baseURL: strings.TrimSuffix(opts.BaseURL, "/"),
		secret:  opts.Secret,
		now:     opts.Now,
		objects: make(map[string]memoryObject),
	}
	if b.now == nil {
		b.now = time.Now
	}
	if len(b.secret) == 0 {
		b.secret = make([]byte, 32)
		rand.Read(b.secret)
	}
	return b
}

// Put stores the content of r under key. The whole object is buffered.
func (b *Bucket) Put(ctx context.Context, key string, r io.Reader, opts storage.PutOptions) (*storage.Attributes, error) {
	if err := storage.ValidateKey(key); err != nil {
		return nil, fmt.Errorf("memory: put %q: %w", key, err)
	}
	data, err := io.ReadAll(driver.CheckSize(r, opts.Size))
	if err != nil {
		return nil, fmt.Errorf("memory: put %q: %w", key, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memory: put %q: %w", key, err)
	}
	ct := opts.ContentType
	if ct == "" {
		ct = storage.DefaultContentType
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.gen++
	sum := sha256.Sum256(data)
	attrs := storage.Attributes{
		Key:         key,
		Size:        int64(len(data)),
		ContentType: ct,
		Metadata:    maps.Clone(opts.Metadata),
		ETag:        fmt.Sprintf("%s-%d", hex.EncodeToString(sum[:8]), b.gen),
		Updated:     b.now().UTC(),
	}
	b.objects[key] = memoryObject{attrs: attrs, data: data}
	out := cloneAttrs(attrs)
	return &out, nil
}

// Get returns a reader over the object or the requested range of it.
func (b *Bucket) Get(ctx context.Context, key string, opts storage.GetOptions) (*storage.Reader, error) {
	obj, err := b.lookup("get", key)
	if err != nil {
		return nil, err
	}
	start, end, err := driver.ResolveRange(obj.attrs.Size, opts)
	if err != nil {
		return nil, fmt.Errorf("memory: get %q: %w", key, err)
	}
	body := io.NopCloser(bytes.NewReader(obj.data[start:end]))
	return driver.NewReader(cloneAttrs(obj.attrs), body), nil
}

// Stat returns the object's attributes.
func (b *Bucket) Stat(ctx context.Context, key string) (*storage.Attributes, error) {
	obj, err := b.lookup("stat", key)
	if err != nil {
		return nil, err
	}
	attrs := cloneAttrs(obj.attrs)
	return &attrs, nil
}

// Delete removes the object.
func (b *Bucket) Delete(ctx context.Context, key string) error {
	if err := storage.ValidateKey(key); err != nil {
		return fmt.Errorf("memory: delete %q: %w", key, err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.objects[key]; !ok {
		return fmt.Errorf("memory: delete %q: %w", key, storage.ErrNotExist)
	}
	delete(b.objects, key)
	return nil
}

// List returns one page of objects and prefixes.
func (b *Bucket) List(ctx context.Context, opts storage.ListOptions) (*storage.ListPage, error) {
	after, err := driver.DecodePageToken(opts.PageToken)
	if err != nil {
		return nil, fmt.Errorf("memory: list: %w", err)
	}
	b.mu.RLock()
	keys := make([]string, 0, len(b.objects))
	for k := range b.objects {
		if strings.HasPrefix(k, opts.Prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	lister := driver.NewPageBuilder(opts)
	for _, k := range keys {
		if lister.SkipKey(k, after) {
			continue
		}
		if !lister.Add(k, func() storage.Attributes { return cloneAttrs(b.objects[k].attrs) }) {
			break
		}
	}
	b.mu.RUnlock()
	return lister.Page(), nil
}

func (b *Bucket) lookup(op, key string) (memoryObject, error) {
	if err := storage.ValidateKey(key); err != nil {
		return memoryObject{}, fmt.Errorf("memory: %s %q: %w", op, key, err)
	}
	b.mu.RLock()
	obj, ok := b.objects[key]
	b.mu.RUnlock()
	if !ok {
		return memoryObject{}, fmt.Errorf("memory: %s %q: %w", op, key, storage.ErrNotExist)
	}
	return obj, nil
}

func cloneAttrs(a storage.Attributes) storage.Attributes {
	a.Metadata = maps.Clone(a.Metadata)
	if a.Metadata == nil {
		a.Metadata = map[string]string{}
	}
	return a
}
