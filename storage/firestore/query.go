package firestore

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net/http"
	"reflect"
	"strings"

	fsapi "google.golang.org/api/firestore/v1"
	"google.golang.org/api/googleapi"
)

// Operator is a comparison in a Where clause.
type Operator string

// Operators of Where clauses.
const (
	// Equal matches field == value.
	Equal Operator = "EQUAL"
	// NotEqual matches field != value (documents lacking the field excluded).
	NotEqual Operator = "NOT_EQUAL"
	// Less matches field < value.
	Less Operator = "LESS_THAN"
	// LessOrEqual matches field <= value.
	LessOrEqual Operator = "LESS_THAN_OR_EQUAL"
	// Greater matches field > value.
	Greater Operator = "GREATER_THAN"
	// GreaterOrEqual matches field >= value.
	GreaterOrEqual Operator = "GREATER_THAN_OR_EQUAL"
	// ArrayContains matches array fields that contain value.
	ArrayContains Operator = "ARRAY_CONTAINS"
	// In matches fields equal to one element of the slice value.
	In Operator = "IN"
	// NotIn matches fields equal to no element of the slice value.
	NotIn Operator = "NOT_IN"
	// ArrayContainsAny matches array fields sharing an element with value.
	ArrayContainsAny Operator = "ARRAY_CONTAINS_ANY"
)

// Direction orders query results.
type Direction string

// Sort directions.
const (
	// Asc sorts from low to high.
	Asc Direction = "ASCENDING"
	// Desc sorts from high to low.
	Desc Direction = "DESCENDING"
)

// Query is a structured query over one collection. Its methods return a new
// Query, so a base query can be shared.
type Query[T any] struct {
	col     *Collection[T]
	filters []*fsapi.Filter
	orders  []*fsapi.Order
	limit   int64
	offset  int64
	startAt *fsapi.Cursor
	endAt   *fsapi.Cursor
	group   bool // a collection-group query
	err     error
}

// Query starts a query over the collection.
func (col *Collection[T]) Query() *Query[T] { return &Query[T]{col: col} }

// CollectionGroup starts a query over every collection called collectionID,
// at any depth (for example the "posts" subcollections of all users), whose
// documents decode into T. Firestore needs a collection-group index for the
// fields such a query filters or orders on; without one it answers
// ErrFailedPrecondition.
func CollectionGroup[T any](c *Client, collectionID string) *Query[T] {
	q := &Query[T]{col: NewCollection[T](c, collectionID), group: true}
	if collectionID == "" || strings.Contains(collectionID, "/") {
		q.err = fmt.Errorf("firestore: collection group %q: want a collection ID without \"/\"", collectionID)
	}
	return q
}

func (q *Query[T]) clone() *Query[T] {
	c := *q
	c.filters = append([]*fsapi.Filter(nil), q.filters...)
	c.orders = append([]*fsapi.Order(nil), q.orders...)
	return &c
}

// Where adds a condition on a field path; conditions are combined with AND.
func (q *Query[T]) Where(path string, op Operator, value any) *Query[T] {
	c := q.clone()
	v, err := encodeValue(reflect.ValueOf(value))
	if err != nil && c.err == nil {
		c.err = fmt.Errorf("firestore: where %s: %w", path, err)
	}
	c.filters = append(c.filters, &fsapi.Filter{FieldFilter: &fsapi.FieldFilter{
		Field: &fsapi.FieldReference{FieldPath: path}, Op: string(op), Value: v,
	}})
	return c
}

// OrderBy adds a sort key.
func (q *Query[T]) OrderBy(path string, dir Direction) *Query[T] {
	c := q.clone()
	c.orders = append(c.orders, &fsapi.Order{Field: &fsapi.FieldReference{FieldPath: path}, Direction: string(dir)})
	return c
}

// Limit caps the number of results.
func (q *Query[T]) Limit(n int) *Query[T] {
	c := q.clone()
	c.limit = int64(n)
	return c
}

// Offset skips the first n results.
func (q *Query[T]) Offset(n int) *Query[T] {
	c := q.clone()
	c.offset = int64(n)
	return c
}

// StartAt starts the results at the position given by values of the OrderBy
// keys, inclusive.
func (q *Query[T]) StartAt(values ...any) *Query[T] { return q.cursor(true, true, values) }

// StartAfter starts the results right after the position given by values of
// the OrderBy keys; pass the last result's keys to fetch the next page.
func (q *Query[T]) StartAfter(values ...any) *Query[T] { return q.cursor(true, false, values) }

// EndAt ends the results at the position given by values, inclusive.
func (q *Query[T]) EndAt(values ...any) *Query[T] { return q.cursor(false, false, values) }

// EndBefore ends the results just before the position given by values.
func (q *Query[T]) EndBefore(values ...any) *Query[T] { return q.cursor(false, true, values) }

// cursor sets the start (or end) cursor; before says whether the position is
// just before the given values.
func (q *Query[T]) cursor(start, before bool, values []any) *Query[T] {
	c := q.clone()
	cur := &fsapi.Cursor{Before: before}
	for _, v := range values {
		ev, err := encodeValue(reflect.ValueOf(v))
		if err != nil && c.err == nil {
			c.err = fmt.Errorf("firestore: cursor: %w", err)
		}
		cur.Values = append(cur.Values, ev)
	}
	if start {
		c.startAt = cur
	} else {
		c.endAt = cur
	}
	return c
}

// structured builds the StructuredQuery.
func (q *Query[T]) structured() *fsapi.StructuredQuery {
	_, collID := q.col.parent()
	sq := &fsapi.StructuredQuery{
		From:    []*fsapi.CollectionSelector{{CollectionId: collID, AllDescendants: q.group}},
		OrderBy: q.orders,
		Limit:   q.limit,
		Offset:  q.offset,
		StartAt: q.startAt,
		EndAt:   q.endAt,
	}
	switch len(q.filters) {
	case 0:
	case 1:
		sq.Where = q.filters[0]
	default:
		sq.Where = &fsapi.Filter{CompositeFilter: &fsapi.CompositeFilter{Op: "AND", Filters: q.filters}}
	}
	return sq
}

// runQueryResponse is one element of runQuery's JSON array answer. Elements
// without a document carry only progress information (readTime,
// skippedResults) and are skipped; an element with an error ends a stream
// that failed after it started.
type runQueryResponse struct {
	Document    *wireDocument   `json:"document"`
	Transaction string          `json:"transaction"`
	Error       json.RawMessage `json:"error"`
}

// Run executes the query and returns all the matching documents. Use
// Documents to process a large result without holding it in memory.
//
// It posts to :runQuery directly rather than through the generated
// RunQuery call, whose Do cannot decode the JSON array the service streams
// back (googleapis/google-api-go-client#282).
func (q *Query[T]) Run(ctx context.Context) ([]*Document[T], error) {
	return collect(q.documents(ctx, ""))
}

// Documents executes the query and returns an iterator over the matching
// documents, each decoded as the service streams it, so that a result of any
// size is processed in constant memory. A failure ends the iteration with a
// nil document and the error. Stopping the range early abandons the rest of
// the answer. The request is retried as a read is, but only until the first
// document has arrived.
func (q *Query[T]) Documents(ctx context.Context) iter.Seq2[*Document[T], error] {
	return q.documents(ctx, "")
}

func collect[T any](seq iter.Seq2[*Document[T], error]) ([]*Document[T], error) {
	var out []*Document[T]
	for d, err := range seq {
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func (q *Query[T]) documents(ctx context.Context, tx string) iter.Seq2[*Document[T], error] {
	return func(yield func(*Document[T], error) bool) {
		if q.err != nil {
			yield(nil, q.err)
			return
		}
		parent, _ := q.col.parent()
		req := &fsapi.RunQueryRequest{StructuredQuery: q.structured(), Transaction: tx}
		var res *http.Response
		err := q.col.c.retryRead(ctx, func() error {
			var err error
			res, err = q.col.c.rawOpen(ctx, "POST", parent, "runQuery", nil, req)
			return err
		})
		if err != nil {
			yield(nil, wrapErr("query", q.col.path, err))
			return
		}
		defer res.Body.Close()
		if err := streamArray(res.Body, func(r *runQueryResponse) bool {
			if r.Document == nil {
				return true
			}
			d, err := decodeDocument[T](r.Document)
			if err != nil {
				yield(nil, err)
				return false
			}
			return yield(d, nil)
		}); err != nil {
			yield(nil, wrapErr("query", q.col.path, err))
		}
	}
}

// streamArray decodes a streamed JSON array of runQuery answers element by
// element, calling fn for each until fn returns false. An element carrying
// an error ends the stream with that error.
func streamArray(r io.Reader, fn func(*runQueryResponse) bool) error {
	dec := json.NewDecoder(r)
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return fmt.Errorf("answer is not a JSON array (first token %v): %w", tok, err)
	}
	for dec.More() {
		var elem runQueryResponse
		if err := dec.Decode(&elem); err != nil {
			return err
		}
		if elem.Error != nil {
			return streamError(elem.Error)
		}
		if !fn(&elem) {
			return nil
		}
	}
	_, err := dec.Token()
	return err
}

// streamError turns the error element of a stream into the googleapi.Error
// the same failure gets when it ends a request before the stream starts.
func streamError(raw json.RawMessage) error {
	var e struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	json.Unmarshal(raw, &e)
	body, _ := json.Marshal(map[string]json.RawMessage{"error": raw})
	return &googleapi.Error{Code: e.Code, Message: e.Message, Body: string(body)}
}
