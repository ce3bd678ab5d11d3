package driver

import (
	"fmt"

	"github.com/groundwork-go/groundwork/storage"
)

// ResolveRange turns opts into the half-open byte interval [start, end) of an
// object of the given size, following Bucket.Get's rules: an offset at or past
// the end of a non-empty object, or a negative offset or length, is
// storage.ErrInvalidRange; a length that runs past the end is cut short.
func ResolveRange(size int64, opts storage.GetOptions) (start, end int64, err error) {
	if opts.Offset < 0 || opts.Length < 0 {
		return 0, 0, fmt.Errorf("%w: negative offset or length", storage.ErrInvalidRange)
	}
	if opts.Offset > 0 && opts.Offset >= size {
		return 0, 0, fmt.Errorf("%w: offset %d beyond size %d", storage.ErrInvalidRange, opts.Offset, size)
	}
	end = size
	if opts.Length > 0 && opts.Offset+opts.Length < size {
		end = opts.Offset + opts.Length
	}
	return opts.Offset, end, nil
}
