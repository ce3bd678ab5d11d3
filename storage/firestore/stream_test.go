package firestore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/groundwork-go/groundwork/storage/firestore"
)

func seedMany(t *testing.T, users *firestore.Collection[User], n int) []string {
	t.Helper()
	var want []string
	for i := range n {
		name := fmt.Sprintf("user-%03d", i)
		if _, err := users.Set(context.Background(), name, User{Name: name, Age: i}); err != nil {
			t.Fatal(err)
		}
		want = append(want, name)
	}
	return want
}

// TestDocumentsStreams checks that Documents yields the first result while
// the service is still holding back the rest of its answer.
func TestDocumentsStreams(t *testing.T) {
	f := newFakeFirestore(t)
	c := newClient(t, f, f.token)
	users := firestore.NewCollection[User](c, "users")
	want := seedMany(t, users, 50)
	f.streamGate = make(chan struct{})
	var got []string
	for d, err := range users.Query().OrderBy("age", firestore.Asc).Documents(context.Background()) {
		if err != nil {
			t.Fatalf("Documents: got error %v after %d documents, want nil", err, len(got))
		}
		if len(got) == 0 {
			// The fake sends the rest only now: a client that waits
			// for the whole answer never gets here.
			close(f.streamGate)
		}
		got = append(got, d.Data.Name)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Documents: got %d documents %q..., want %d", len(got), got[:min(len(got), 3)], len(want))
	}
}

func TestDocuments(t *testing.T) {
	f := newFakeFirestore(t)
	c := newClient(t, f, f.token)
	users := firestore.NewCollection[User](c, "users")
	want := seedMany(t, users, 20)
	ctx := context.Background()
	t.Run("stop early", func(t *testing.T) {
		var got []string
		for d, err := range users.Query().OrderBy("age", firestore.Asc).Documents(ctx) {
			if err != nil {
				t.Fatalf("Documents: got error %v, want nil", err)
			}
			if got = append(got, d.Data.Name); len(got) == 3 {
				break
			}
		}
		if !slices.Equal(got, want[:3]) {
			t.Errorf("Documents: got %q, want %q", got, want[:3])
		}
	})
	t.Run("failure mid-stream", func(t *testing.T) {
		f.mu.Lock()
		f.streamFailAfter = 5
		f.mu.Unlock()
		t.Cleanup(func() { f.mu.Lock(); f.streamFailAfter = 0; f.mu.Unlock() })
		var got []string
		var last error
		for d, err := range users.Query().OrderBy("age", firestore.Asc).Documents(ctx) {
			if err != nil {
				last = err
				break
			}
			got = append(got, d.Data.Name)
		}
		if !slices.Equal(got, want[:5]) || !errors.Is(last, firestore.ErrUnavailable) {
			t.Errorf("Documents over a broken stream: got %q and error %v, want %q and ErrUnavailable", got, last, want[:5])
		}
		if _, err := users.Query().Run(ctx); !errors.Is(err, firestore.ErrUnavailable) {
			t.Errorf("Run over a broken stream: got error %v, want ErrUnavailable", err)
		}
	})
	t.Run("invalid query", func(t *testing.T) {
		n := 0
		for _, err := range users.Query().Where("age", firestore.Equal, make(chan int)).Documents(ctx) {
			n++
			if err == nil {
				t.Errorf("Documents of an invalid query: got a document, want an error")
			}
		}
		if n != 1 {
			t.Errorf("Documents of an invalid query: got %d elements, want 1 error", n)
		}
	})
	t.Run("in a transaction", func(t *testing.T) {
		var got []string
		err := c.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
			got = nil
			for d, err := range users.In(tx).Documents(ctx, users.Query().Where("age", firestore.Less, 2).OrderBy("age", firestore.Asc)) {
				if err != nil {
					return err
				}
				got = append(got, d.Data.Name)
			}
			return nil
		})
		if err != nil || !slices.Equal(got, want[:2]) {
			t.Errorf("Documents in a transaction: got %q, error %v, want %q", got, err, want[:2])
		}
	})
}

func TestCollectionGroup(t *testing.T) {
	f := newFakeFirestore(t)
	c := newClient(t, f, f.token)
	ctx := context.Background()
	for _, path := range []string{"users/ada/posts", "users/bob/posts", "groups/g1/users/cid/posts", "drafts"} {
		col := firestore.NewCollection[User](c, path)
		for i := range 2 {
			if _, err := col.Set(ctx, fmt.Sprintf("p%d", i), User{Name: path, Age: i}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A collection called posts-archive, and a document called posts, are
	// not in the group.
	if _, err := firestore.NewCollection[User](c, "users/ada/posts-archive").Set(ctx, "old", User{Name: "archive"}); err != nil {
		t.Fatal(err)
	}
	if _, err := firestore.NewCollection[User](c, "users").Set(ctx, "posts", User{Name: "not a post"}); err != nil {
		t.Fatal(err)
	}
	docs, err := firestore.CollectionGroup[User](c, "posts").Where("age", firestore.Equal, 1).Run(ctx)
	if err != nil {
		t.Fatalf("Run: got error %v, want nil", err)
	}
	got := names(docs)
	slices.Sort(got)
	want := []string{"groups/g1/users/cid/posts", "users/ada/posts", "users/bob/posts"}
	if !slices.Equal(got, want) {
		t.Errorf("collection group posts with age 1: got %q, want %q", got, want)
	}
	if _, err := firestore.CollectionGroup[User](c, "users/ada/posts").Run(ctx); err == nil {
		t.Error("collection group with a path: got nil error, want one")
	}
}
