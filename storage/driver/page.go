package driver

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/groundwork-go/groundwork/storage"
)

// PageBuilder assembles a storage.ListPage from keys fed to it in ascending order. It
// applies the delimiter grouping and page size of a storage.ListOptions and produces
// the opaque page token. Backends whose service cannot paginate the way List
// promises use it over the service's own listing.
type PageBuilder struct {
	opts     storage.ListOptions
	size     int
	page     storage.ListPage
	last     string
	full     bool
	lastPref string
}

// NewPageBuilder returns a PageBuilder for opts.
func NewPageBuilder(opts storage.ListOptions) *PageBuilder {
	size := opts.PageSize
	if size <= 0 {
		size = storage.DefaultPageSize
	}
	return &PageBuilder{opts: opts, size: size}
}

// Add offers the next key (which must start with the listing prefix and sort
// after every key offered before). attrs is called only if the key is listed as
// an object. Add reports false once the page is full; the key that made it full
// is not on the page and the page gets a next token.
func (p *PageBuilder) Add(key string, attrs func() storage.Attributes) bool {
	if p.full {
		return false
	}
	entry, isPrefix := p.entry(key)
	if isPrefix && entry == p.lastPref {
		return true
	}
	if len(p.page.Objects)+len(p.page.Prefixes) == p.size {
		p.full = true
		p.page.NextPageToken = EncodePageToken(p.last)
		return false
	}
	if isPrefix {
		p.page.Prefixes = append(p.page.Prefixes, entry)
		p.lastPref = entry
	} else {
		p.page.Objects = append(p.page.Objects, attrs())
	}
	p.last = entry
	return true
}

// Page returns the page assembled so far.
func (p *PageBuilder) Page() *storage.ListPage {
	pg := p.page
	return &pg
}

// entry returns the listing entry key belongs to: the key itself, or the
// prefix group that contains it.
func (p *PageBuilder) entry(key string) (string, bool) {
	if p.opts.Delimiter == "" {
		return key, false
	}
	rest := key[len(p.opts.Prefix):]
	if i := strings.Index(rest, p.opts.Delimiter); i >= 0 {
		return key[:len(p.opts.Prefix)+i+len(p.opts.Delimiter)], true
	}
	return key, false
}

// SkipKey reports whether key belongs to an entry at or before the entry that
// after (a decoded page token) names, so a listing resumed after it omits key.
func (p *PageBuilder) SkipKey(key, after string) bool {
	if after == "" {
		return false
	}
	entry, _ := p.entry(key)
	return entry <= after
}

// EncodePageToken returns the opaque token for a listing that continues after
// the entry last.
func EncodePageToken(last string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(last))
}

// DecodePageToken returns the entry a page token continues after. The empty
// token decodes to "".
func DecodePageToken(token string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", fmt.Errorf("invalid page token: %w", err)
	}
	return string(b), nil
}
