package firestore

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	fsapi "google.golang.org/api/firestore/v1"
)

// Document is a stored document decoded into T.
type Document[T any] struct {
	// ID is the document's ID within its collection.
	ID string
	// Ref is the document's full resource name.
	Ref Reference
	// Data is the document's content.
	Data T
	// CreateTime and UpdateTime are set by the service.
	CreateTime time.Time
	// UpdateTime is when the document was last written; pass it in a
	// Precondition to update only an unchanged document.
	UpdateTime time.Time
}

// Precondition restricts a write to documents in a given state. The zero
// value imposes no condition.
type Precondition struct {
	// Exists, when non-nil, requires the document to exist (true) or not.
	Exists *bool
	// UpdateTime, when non-zero, requires the document's last update time to
	// be exactly this.
	UpdateTime time.Time
}

// Exists returns a Precondition that the document exists (or not).
func Exists(exists bool) Precondition { return Precondition{Exists: &exists} }

// LastUpdated returns a Precondition that the document was last written at t.
func LastUpdated(t time.Time) Precondition { return Precondition{UpdateTime: t} }

func (p Precondition) api() *fsapi.Precondition {
	switch {
	case !p.UpdateTime.IsZero():
		return &fsapi.Precondition{UpdateTime: p.UpdateTime.UTC().Format(time.RFC3339Nano)}
	case p.Exists != nil:
		return &fsapi.Precondition{Exists: *p.Exists, ForceSendFields: []string{"Exists"}}
	}
	return nil
}

// Collection is a typed view of the documents in one collection.
type Collection[T any] struct {
	c    *Client
	path string // collection path below the documents root, e.g. "users"
}

// NewCollection returns the collection at path ("users", or "users/ada/posts"
// for a subcollection) whose documents decode into T.
func NewCollection[T any](c *Client, path string) *Collection[T] {
	return &Collection[T]{c: c, path: strings.Trim(path, "/")}
}

// Ref returns the reference of the document id.
func (col *Collection[T]) Ref(id string) Reference { return col.c.Ref(col.path, id) }

// parent returns the parent resource and the collection ID of the collection.
func (col *Collection[T]) parent() (string, string) {
	root := col.c.documentsRoot()
	i := strings.LastIndex(col.path, "/")
	if i < 0 {
		return root, col.path
	}
	return root + "/" + col.path[:i], col.path[i+1:]
}

// Get reads one document. A missing document is ErrNotFound.
func (col *Collection[T]) Get(ctx context.Context, id string) (*Document[T], error) {
	return col.get(ctx, id, "")
}

func (col *Collection[T]) get(ctx context.Context, id, tx string) (*Document[T], error) {
	var q url.Values
	if tx != "" {
		q = url.Values{"transaction": {tx}}
	}
	var wd wireDocument
	err := col.c.retryRead(ctx, func() error {
		return col.c.rawCall(ctx, "GET", string(col.Ref(id)), "", q, nil, &wd)
	})
	if err != nil {
		return nil, wrapErr("get", col.path+"/"+id, err)
	}
	return decodeDocument[T](&wd)
}

// Create stores v as a new document. An existing document is
// ErrAlreadyExists. An empty id lets the service choose one.
func (col *Collection[T]) Create(ctx context.Context, id string, v T) (*Document[T], error) {
	fields, err := encodeFields(v)
	if err != nil {
		return nil, err
	}
	parent, collID := col.parent()
	call := col.c.svc.Projects.Databases.Documents.CreateDocument(parent, collID, &fsapi.Document{Fields: fields}).Context(ctx)
	if id != "" {
		call = call.DocumentId(id)
	}
	doc, err := call.Do()
	if err != nil {
		return nil, wrapErr("create", col.path+"/"+id, err)
	}
	return writtenDocument(doc.Name, doc.CreateTime, doc.UpdateTime, v)
}

// Set stores v as the document's whole content, creating it if needed.
func (col *Collection[T]) Set(ctx context.Context, id string, v T) (*Document[T], error) {
	return col.patch(ctx, "set", id, v, nil, Precondition{})
}

// Update writes only the given top-level or dotted field paths of v (other
// fields of the stored document are kept). The zero Precondition requires the
// document to exist, so a missing document is ErrNotFound; pass LastUpdated
// for an optimistic-concurrency update (ErrFailedPrecondition on conflict).
// The returned Document's Data is v as given, not the merged document; Get it
// again to see the fields that were kept.
func (col *Collection[T]) Update(ctx context.Context, id string, v T, paths []string, pre Precondition) (*Document[T], error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("firestore: update %s/%s: no field paths", col.path, id)
	}
	if pre == (Precondition{}) {
		pre = Exists(true)
	}
	return col.patch(ctx, "update", id, v, paths, pre)
}

func (col *Collection[T]) patch(ctx context.Context, op, id string, v T, paths []string, pre Precondition) (*Document[T], error) {
	fields, err := encodeFields(v)
	if err != nil {
		return nil, err
	}
	call := col.c.svc.Projects.Databases.Documents.Patch(string(col.Ref(id)), &fsapi.Document{Fields: fields}).Context(ctx)
	if len(paths) > 0 {
		call = call.UpdateMaskFieldPaths(paths...)
	}
	if p := pre.api(); p != nil {
		if p.UpdateTime != "" {
			call = call.CurrentDocumentUpdateTime(p.UpdateTime)
		} else {
			call = call.CurrentDocumentExists(p.Exists)
		}
	}
	doc, err := call.Do()
	if err != nil {
		return nil, wrapErr(op, col.path+"/"+id, err)
	}
	return writtenDocument(doc.Name, doc.CreateTime, doc.UpdateTime, v)
}

// Delete removes the document. Deleting a missing document succeeds unless
// pre says it must exist.
func (col *Collection[T]) Delete(ctx context.Context, id string, pre Precondition) error {
	call := col.c.svc.Projects.Databases.Documents.Delete(string(col.Ref(id))).Context(ctx)
	if p := pre.api(); p != nil {
		if p.UpdateTime != "" {
			call = call.CurrentDocumentUpdateTime(p.UpdateTime)
		} else {
			call = call.CurrentDocumentExists(p.Exists)
		}
	}
	if _, err := call.Do(); err != nil {
		return wrapErr("delete", col.path+"/"+id, err)
	}
	return nil
}

// GetAll reads several documents in one batchGet call. The result has one
// entry per id, in order; a missing document's entry is nil.
func (col *Collection[T]) GetAll(ctx context.Context, ids ...string) ([]*Document[T], error) {
	return col.getAll(ctx, ids, "")
}

// batchGetResponse is one element of batchGet's JSON array answer.
type batchGetResponse struct {
	Found   *wireDocument `json:"found"`
	Missing string        `json:"missing"`
}

func (col *Collection[T]) getAll(ctx context.Context, ids []string, tx string) ([]*Document[T], error) {
	req := &fsapi.BatchGetDocumentsRequest{Transaction: tx}
	index := make(map[string]int, len(ids))
	for i, id := range ids {
		ref := string(col.Ref(id))
		req.Documents = append(req.Documents, ref)
		index[ref] = i
	}
	var resp []batchGetResponse
	err := col.c.retryRead(ctx, func() error {
		resp = nil
		return col.c.rawCall(ctx, "POST", col.c.documentsRoot(), "batchGet", nil, req, &resp)
	})
	if err != nil {
		return nil, wrapErr("batch get", col.path, err)
	}
	out := make([]*Document[T], len(ids))
	for _, r := range resp {
		if r.Found == nil {
			continue
		}
		d, err := decodeDocument[T](r.Found)
		if err != nil {
			return nil, err
		}
		if i, ok := index[r.Found.Name]; ok {
			out[i] = d
		}
	}
	return out, nil
}

func decodeDocument[T any](wd *wireDocument) (*Document[T], error) {
	d := &Document[T]{Ref: Reference(wd.Name), ID: wd.Name[strings.LastIndex(wd.Name, "/")+1:]}
	if err := decodeFields(wd.Fields, &d.Data); err != nil {
		return nil, fmt.Errorf("firestore: decode %s: %w", wd.Name, err)
	}
	d.CreateTime, _ = time.Parse(time.RFC3339Nano, wd.CreateTime)
	d.UpdateTime, _ = time.Parse(time.RFC3339Nano, wd.UpdateTime)
	return d, nil
}

func writtenDocument[T any](name, created, updated string, v T) (*Document[T], error) {
	d := &Document[T]{Ref: Reference(name), ID: name[strings.LastIndex(name, "/")+1:], Data: v}
	d.CreateTime, _ = time.Parse(time.RFC3339Nano, created)
	d.UpdateTime, _ = time.Parse(time.RFC3339Nano, updated)
	return d, nil
}
