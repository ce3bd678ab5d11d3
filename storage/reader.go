package storage

import (
	"io"

	"github.com/groundwork-go/groundwork/storage/internal/construct"
)

// Reader streams the content of an object returned by Bucket.Get. It must be
// closed. Attributes describe the whole object, not just the range being read.
// Backends build it with storage/driver.NewReader.
type Reader struct {
	// Attributes are the object's attributes.
	Attributes
	body io.ReadCloser
}

func init() {
	construct.NewReader = func(attrs Attributes, body io.ReadCloser) *Reader {
		return &Reader{Attributes: attrs, body: body}
	}
}

// Read reads the next bytes of the object.
func (r *Reader) Read(p []byte) (int, error) { return r.body.Read(p) }

// Close releases the connection or buffer behind the reader.
func (r *Reader) Close() error { return r.body.Close() }
