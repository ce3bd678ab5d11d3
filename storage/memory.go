package storage

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
)

// MemoryOptions configures a MemoryBucket. The zero value works; signed URLs
// then fail with ErrNotSupported.
type MemoryOptions struct {
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

// MemoryBucket is a Bucket that keeps objects in memory. It is meant for tests
// and single-process development setups; content is lost when the process ends.
type MemoryBucket struct {
	baseURL string
	secret  []byte
	now     func() time.Time

	mu      sync.RWMutex
	objects map[string]memoryObject
	gen     int64
}

type memoryObject struct {
	attrs Attributes
	data  []byte
}

var _ Bucket = (*MemoryBucket)(nil)

// NewMemoryBucket returns an empty MemoryBucket.
func NewMemoryBucket(opts MemoryOptions) *MemoryBucket {
	b := &MemoryBucket{
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
func (b *MemoryBucket) Put(ctx context.Context, key string, r io.Reader, opts PutOptions) (*Attributes, error) {
	if err := ValidateKey(key); err != nil {
		return nil, fmt.Errorf("storage: put %q: %w", key, err)
	}
	data, err := io.ReadAll(CheckSize(r, opts.Size))
	if err != nil {
		return nil, fmt.Errorf("storage: put %q: %w", key, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("storage: put %q: %w", key, err)
	}
	ct := opts.ContentType
	if ct == "" {
		ct = DefaultContentType
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.gen++
	sum := sha256.Sum256(data)
	attrs := Attributes{
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
func (b *MemoryBucket) Get(ctx context.Context, key string, opts GetOptions) (*Reader, error) {
	obj, err := b.lookup("get", key)
	if err != nil {
		return nil, err
	}
	start, end, err := ResolveRange(obj.attrs.Size, opts)
	if err != nil {
		return nil, fmt.Errorf("storage: get %q: %w", key, err)
	}
	body := io.NopCloser(bytes.NewReader(obj.data[start:end]))
	return NewReader(cloneAttrs(obj.attrs), body), nil
}

// Stat returns the object's attributes.
func (b *MemoryBucket) Stat(ctx context.Context, key string) (*Attributes, error) {
	obj, err := b.lookup("stat", key)
	if err != nil {
		return nil, err
	}
	attrs := cloneAttrs(obj.attrs)
	return &attrs, nil
}

// Delete removes the object.
func (b *MemoryBucket) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return fmt.Errorf("storage: delete %q: %w", key, err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.objects[key]; !ok {
		return fmt.Errorf("storage: delete %q: %w", key, ErrNotExist)
	}
	delete(b.objects, key)
	return nil
}

// List returns one page of objects and prefixes.
func (b *MemoryBucket) List(ctx context.Context, opts ListOptions) (*ListPage, error) {
	after, err := DecodePageToken(opts.PageToken)
	if err != nil {
		return nil, fmt.Errorf("storage: list: %w", err)
	}
	b.mu.RLock()
	keys := make([]string, 0, len(b.objects))
	for k := range b.objects {
		if strings.HasPrefix(k, opts.Prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	lister := NewPageBuilder(opts)
	for _, k := range keys {
		if lister.SkipKey(k, after) {
			continue
		}
		if !lister.Add(k, func() Attributes { return cloneAttrs(b.objects[k].attrs) }) {
			break
		}
	}
	b.mu.RUnlock()
	return lister.Page(), nil
}

func (b *MemoryBucket) lookup(op, key string) (memoryObject, error) {
	if err := ValidateKey(key); err != nil {
		return memoryObject{}, fmt.Errorf("storage: %s %q: %w", op, key, err)
	}
	b.mu.RLock()
	obj, ok := b.objects[key]
	b.mu.RUnlock()
	if !ok {
		return memoryObject{}, fmt.Errorf("storage: %s %q: %w", op, key, ErrNotExist)
	}
	return obj, nil
}

func cloneAttrs(a Attributes) Attributes {
	a.Metadata = maps.Clone(a.Metadata)
	if a.Metadata == nil {
		a.Metadata = map[string]string{}
	}
	return a
}
