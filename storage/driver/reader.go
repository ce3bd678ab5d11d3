package driver

import (
	"io"

	"github.com/groundwork-go/groundwork/storage"
	"github.com/groundwork-go/groundwork/storage/internal/construct"
)

// newReader is package storage's Reader constructor.
var newReader = construct.NewReader.(func(storage.Attributes, io.ReadCloser) *storage.Reader)

// NewReader returns a storage.Reader over body for an object with the given
// attributes, the result of a backend's Get. Closing the Reader closes body.
func NewReader(attrs storage.Attributes, body io.ReadCloser) *storage.Reader {
	return newReader(attrs, body)
}
