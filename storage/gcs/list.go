package gcs

import (
	"context"
	"fmt"
	"sort"

	gstorage "google.golang.org/api/storage/v1"

	"github.com/groundwork-go/groundwork/storage"
	"github.com/groundwork-go/groundwork/storage/driver"
)

// List returns one page. It asks the service for entries starting at the
// page token's position and assembles them with driver.PageBuilder, so pages
// hold at most PageSize entries counting prefixes, as storage.Bucket promises.
func (b *Bucket) List(ctx context.Context, opts storage.ListOptions) (*storage.ListPage, error) {
	after, err := driver.DecodePageToken(opts.PageToken)
	if err != nil {
		return nil, fmt.Errorf("gcs: list: %w", err)
	}
	pb := driver.NewPageBuilder(opts)
	floor := after
	for {
		resp, err := b.listFrom(ctx, opts, floor)
		if err != nil {
			return nil, wrapErr("list", opts.Prefix, err)
		}
		entries, attrs, cutoff := mergeEntries(resp)
		full := false
		for _, e := range entries {
			if pb.SkipKey(e, floor) {
				continue
			}
			if !pb.Add(e, func() storage.Attributes { return *attrsOf(attrs[e]) }) {
				full = true
				break
			}
		}
		if full || resp.NextPageToken == "" || cutoff <= floor {
			return pb.Page(), nil
		}
		floor = cutoff
	}
}

func (b *Bucket) listFrom(ctx context.Context, opts storage.ListOptions, start string) (*gstorage.Objects, error) {
	size := opts.PageSize
	if size <= 0 {
		size = storage.DefaultPageSize
	}
	var resp *gstorage.Objects
	err := b.retry.do(ctx, func() error {
		call := b.svc.Objects.List(b.name).Prefix(opts.Prefix).MaxResults(int64(size + 1)).Context(ctx)
		if opts.Delimiter != "" {
			call = call.Delimiter(opts.Delimiter)
		}
		if start != "" {
			call = call.StartOffset(start)
		}
		var lerr error
		resp, lerr = call.Do()
		return lerr
	})
	return resp, err
}

// mergeEntries returns the objects and prefixes of one service page as one
// sorted list of entry names. When the service page is truncated, only the
// entries up to the last object are kept (cutoff), because services differ in
// which prefixes beyond it they report; the next request resumes there.
func mergeEntries(resp *gstorage.Objects) (entries []string, attrs map[string]*gstorage.Object, cutoff string) {
	attrs = make(map[string]*gstorage.Object, len(resp.Items))
	for _, o := range resp.Items {
		attrs[o.Name] = o
		entries = append(entries, o.Name)
	}
	entries = append(entries, resp.Prefixes...)
	sort.Strings(entries)
	if resp.NextPageToken == "" || len(entries) == 0 {
		return entries, attrs, ""
	}
	cutoff = entries[len(entries)-1]
	if n := len(resp.Items); n > 0 {
		cutoff = resp.Items[n-1].Name
	}
	kept := entries[:0]
	for _, e := range entries {
		if e <= cutoff {
			kept = append(kept, e)
		}
	}
	return kept, attrs, cutoff
}
