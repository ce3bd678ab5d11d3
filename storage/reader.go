package storage

import "io"

// Reader streams the content of an object returned by Bucket.Get. It must be
// closed. Attributes describe the whole object, not just the range being read.
type Reader struct {
	// Attributes are the object's attributes.
	Attributes
	body io.ReadCloser
}

// NewReader returns a Reader over body for an object with the given attributes.
// Backends use it to build Get's result.
func NewReader(attrs Attributes, body io.ReadCloser) *Reader {
	return &Reader{Attributes: attrs, body: body}
}

// Read reads the next bytes of the object.
func (r *Reader) Read(p []byte) (int, error) { return r.body.Read(p) }

// Close releases the connection or buffer behind the reader.
func (r *Reader) Close() error { return r.body.Close() }
