package driver

import (
	"fmt"
	"io"

	"github.com/groundwork-go/groundwork/storage"
)

// CheckSize returns a reader that yields r's content and fails with
// storage.ErrSizeMismatch as soon as it is known that r holds more or fewer than size
// bytes. A size of zero or less disables the check. Backends wrap Put's reader
// with it so that an upload whose length disagrees with PutOptions.Size is
// aborted before it is committed.
func CheckSize(r io.Reader, size int64) io.Reader {
	if size <= 0 {
		return r
	}
	return &sizeChecker{r: r, want: size}
}

type sizeChecker struct {
	r    io.Reader
	want int64
	got  int64
}

func (c *sizeChecker) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.got += int64(n)
	if c.got > c.want {
		return n, fmt.Errorf("%w: read more than %d bytes", storage.ErrSizeMismatch, c.want)
	}
	if err == io.EOF && c.got != c.want {
		return n, fmt.Errorf("%w: read %d bytes, want %d", storage.ErrSizeMismatch, c.got, c.want)
	}
	return n, err
}
