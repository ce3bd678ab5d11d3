package storage

import (
	"context"
	"io"
	"time"
)

// Bucket is a flat namespace of objects addressed by key. Keys may contain "/"
// and are listed in byte order; a delimiter groups them into pseudo-directories.
//
// Implementations are safe for concurrent use. Every method returns an error that
// wraps one of the package sentinels when the failure has a meaning a caller can
// act on (ErrNotExist, ErrInvalidKey, ErrInvalidRange, ErrInvalidExpiry,
// ErrSizeMismatch, ErrPermission, ErrUnavailable); other errors are wrapped with
// the operation and key.
type Bucket interface {
	// Put stores the content read from r under key, replacing any existing
	// object, and returns the stored object's attributes. The content is
	// streamed: it is never required to fit in memory. If opts.Size is positive
	// and r yields a different number of bytes, Put fails with ErrSizeMismatch
	// and no object is stored.
	Put(ctx context.Context, key string, r io.Reader, opts PutOptions) (*Attributes, error)

	// Get opens the object for reading, optionally a byte range of it. The
	// caller must close the returned Reader. A range that starts at or beyond
	// the end of a non-empty object fails with ErrInvalidRange; a range that
	// extends beyond the end is cut short.
	Get(ctx context.Context, key string, opts GetOptions) (*Reader, error)

	// Stat returns the object's attributes without its content.
	Stat(ctx context.Context, key string) (*Attributes, error)

	// Delete removes the object. Deleting a missing object fails with ErrNotExist.
	Delete(ctx context.Context, key string) error

	// List returns one page of the objects whose keys start with opts.Prefix,
	// in key order. Pass the returned NextPageToken back to get the next page.
	List(ctx context.Context, opts ListOptions) (*ListPage, error)

	// SignedURL returns a URL that lets anyone holding it download the object
	// with a plain GET until expiry has passed. Expiry must be between one
	// second and seven days (ErrInvalidExpiry). A backend that has not been
	// configured to sign URLs fails with ErrNotSupported.
	SignedURL(ctx context.Context, key string, expiry time.Duration) (string, error)
}

// PutOptions holds the optional settings of Bucket.Put. The zero value stores
// an object of unknown size as application/octet-stream without metadata.
type PutOptions struct {
	// ContentType is the object's media type. Default: application/octet-stream.
	ContentType string
	// Metadata is stored with the object and returned by Stat and Get. Keys
	// should be lowercase ASCII letters, digits, "-" and "_" so that every
	// backend keeps them as written. Default: none.
	Metadata map[string]string
	// Size is the exact content length when the caller knows it; it lets
	// backends pick the cheapest upload and is verified against the bytes
	// read. Default: 0, meaning unknown.
	Size int64
}

// GetOptions holds the optional settings of Bucket.Get. The zero value reads
// the whole object.
type GetOptions struct {
	// Offset is the first byte to read. Default: 0.
	Offset int64
	// Length is the maximum number of bytes to read. Default: 0, meaning to the
	// end of the object.
	Length int64
}

// ListOptions holds the optional settings of Bucket.List. The zero value lists
// the first page of every object in the bucket.
type ListOptions struct {
	// Prefix restricts the listing to keys that start with it. Default: "".
	Prefix string
	// Delimiter, when set (usually "/"), groups keys that contain it after the
	// prefix into ListPage.Prefixes instead of listing them. Default: "", no
	// grouping.
	Delimiter string
	// PageSize is the maximum number of entries (objects plus prefixes) in a
	// page. Default: 0, meaning 1000.
	PageSize int
	// PageToken continues a previous listing; it is the NextPageToken of the
	// page before. Default: "", the first page.
	PageToken string
}

// DefaultPageSize is the page size List uses when ListOptions.PageSize is zero.
const DefaultPageSize = 1000

// ListPage is one page of a listing.
type ListPage struct {
	// Objects are the objects on this page, in key order.
	Objects []Attributes
	// Prefixes are the pseudo-directories on this page (each ends with the
	// delimiter), in order. Empty when no delimiter was given.
	Prefixes []string
	// NextPageToken is non-empty when more entries follow.
	NextPageToken string
}

// Attributes describe a stored object.
type Attributes struct {
	// Key is the object's name in the bucket.
	Key string
	// Size is the length of the whole object in bytes.
	Size int64
	// ContentType is the object's media type.
	ContentType string
	// Metadata is the user metadata stored with the object.
	Metadata map[string]string
	// ETag identifies this version of the object; it changes when the object
	// is replaced. Its format is backend-specific.
	ETag string
	// Updated is when this version of the object was stored.
	Updated time.Time
}

// DefaultContentType is the media type of objects stored without one.
const DefaultContentType = "application/octet-stream"
