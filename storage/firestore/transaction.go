package firestore

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	fsapi "google.golang.org/api/firestore/v1"
)

// Transaction is a read-write transaction started by RunTransaction. Reads go
// through the transaction; writes are buffered and committed together when
// the function returns nil.
type Transaction struct {
	c      *Client
	id     string
	writes []*fsapi.Write
}

// RunTransaction runs fn in a read-write transaction and commits its writes.
// If fn returns an error the transaction is rolled back and the error
// returned. If a read or the commit is aborted because of contention
// (ErrAborted), the service says
// the whole transaction may be retried, so fn runs again (with a fresh
// Transaction) up to Options.MaxAttempts times; fn must therefore have no
// side effects besides its transaction calls.
func (c *Client) RunTransaction(ctx context.Context, fn func(ctx context.Context, tx *Transaction) error) error {
	var retryID string
	var err error
	for attempt := 1; attempt <= c.attempts; attempt++ {
		var tx *Transaction
		tx, err = c.begin(ctx, retryID)
		if err != nil {
			return err
		}
		if err = fn(ctx, tx); err != nil {
			tx.rollback(context.WithoutCancel(ctx))
		} else {
			err = tx.commit(ctx)
		}
		if !errors.Is(err, ErrAborted) {
			return err
		}
		retryID = tx.id
	}
	return fmt.Errorf("firestore: transaction: gave up after %d attempts: %w", c.attempts, err)
}

func (c *Client) begin(ctx context.Context, retryID string) (*Transaction, error) {
	req := &fsapi.BeginTransactionRequest{Options: &fsapi.TransactionOptions{ReadWrite: &fsapi.ReadWrite{RetryTransaction: retryID}}}
	resp, err := c.svc.Projects.Databases.Documents.BeginTransaction(c.database, req).Context(ctx).Do()
	if err != nil {
		return nil, wrapErr("begin transaction", c.database, err)
	}
	return &Transaction{c: c, id: resp.Transaction}, nil
}

func (tx *Transaction) commit(ctx context.Context) error {
	req := &fsapi.CommitRequest{Transaction: tx.id, Writes: tx.writes}
	if _, err := tx.c.svc.Projects.Databases.Documents.Commit(tx.c.database, req).Context(ctx).Do(); err != nil {
		return wrapErr("commit", tx.c.database, err)
	}
	return nil
}

func (tx *Transaction) rollback(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	tx.c.svc.Projects.Databases.Documents.Rollback(tx.c.database, &fsapi.RollbackRequest{Transaction: tx.id}).Context(ctx).Do()
}

// TxCollection is a collection seen through a transaction.
type TxCollection[T any] struct {
	col *Collection[T]
	tx  *Transaction
}

// In returns the collection as seen through tx.
func (col *Collection[T]) In(tx *Transaction) *TxCollection[T] {
	return &TxCollection[T]{col: col, tx: tx}
}

// Get reads a document within the transaction.
func (t *TxCollection[T]) Get(ctx context.Context, id string) (*Document[T], error) {
	return t.col.get(ctx, id, t.tx.id)
}

// GetAll reads several documents within the transaction.
func (t *TxCollection[T]) GetAll(ctx context.Context, ids ...string) ([]*Document[T], error) {
	return t.col.getAll(ctx, ids, t.tx.id)
}

// Run executes q within the transaction.
func (t *TxCollection[T]) Run(ctx context.Context, q *Query[T]) ([]*Document[T], error) {
	return collect(q.documents(ctx, t.tx.id))
}

// Documents executes q within the transaction and iterates over the results
// as Query.Documents does.
func (t *TxCollection[T]) Documents(ctx context.Context, q *Query[T]) iter.Seq2[*Document[T], error] {
	return q.documents(ctx, t.tx.id)
}

// Create buffers the creation of a document that must not exist yet.
func (t *TxCollection[T]) Create(id string, v T) error {
	return t.write(id, v, nil, Exists(false))
}

// Set buffers replacing the document's whole content.
func (t *TxCollection[T]) Set(id string, v T) error {
	return t.write(id, v, nil, Precondition{})
}

// Update buffers writing the given field paths of v to an existing document.
func (t *TxCollection[T]) Update(id string, v T, paths []string) error {
	if len(paths) == 0 {
		return fmt.Errorf("firestore: update %s/%s: no field paths", t.col.path, id)
	}
	return t.write(id, v, paths, Exists(true))
}

// Delete buffers deleting the document.
func (t *TxCollection[T]) Delete(id string) {
	t.tx.writes = append(t.tx.writes, &fsapi.Write{Delete: string(t.col.Ref(id))})
}

func (t *TxCollection[T]) write(id string, v T, paths []string, pre Precondition) error {
	fields, err := encodeFields(v)
	if err != nil {
		return err
	}
	w := &fsapi.Write{Update: &fsapi.Document{Name: string(t.col.Ref(id)), Fields: fields}, CurrentDocument: pre.api()}
	if len(paths) > 0 {
		w.UpdateMask = &fsapi.DocumentMask{FieldPaths: paths}
	}
	t.tx.writes = append(t.tx.writes, w)
	return nil
}
