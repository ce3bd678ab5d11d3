package firestore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/groundwork-go/groundwork/storage/firestore"
)

// TestIDsNeedingEscapes stores documents whose IDs hold characters that are
// special in a URL and reads each back by ID, directly, in a transaction and
// in a batch: every read must return that exact document, never a document
// whose ID is a prefix of it.
func TestIDsNeedingEscapes(t *testing.T) {
	f := newFakeFirestore(t)
	c := newClient(t, f, f.token)
	users := firestore.NewCollection[User](c, "users")
	ctx := context.Background()
	ids := []string{"a", "x", "100", "a?b", "a#b", "100%", "x%2Fy", "a:b", "with space", "ünï-日本", "a&b=c+d"}
	for _, id := range ids {
		if _, err := users.Set(ctx, id, User{Name: id}); err != nil {
			t.Fatalf("Set(%q): got error %v, want nil", id, err)
		}
	}
	check := func(t *testing.T, what, id string, d *firestore.Document[User]) {
		t.Helper()
		if d == nil {
			t.Errorf("%s(%q): got no document, want it", what, id)
			return
		}
		if d.ID != id || d.Data.Name != id || d.Ref != users.Ref(id) {
			t.Errorf("%s(%q): got ID %q, Name %q, Ref %q, want %q, %q, %q", what, id, d.ID, d.Data.Name, d.Ref, id, id, users.Ref(id))
		}
	}
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			d, err := users.Get(ctx, id)
			if err != nil {
				t.Fatalf("Get(%q): got error %v, want nil", id, err)
			}
			check(t, "Get", id, d)
			err = c.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
				d, err := users.In(tx).Get(ctx, id)
				if err != nil {
					return err
				}
				check(t, "transaction Get", id, d)
				return nil
			})
			if err != nil {
				t.Errorf("transaction Get(%q): got error %v, want nil", id, err)
			}
			all, err := users.GetAll(ctx, id, "missing")
			if err != nil || len(all) != 2 {
				t.Fatalf("GetAll(%q): got %d documents, error %v, want 2 and nil", id, len(all), err)
			}
			check(t, "GetAll", id, all[0])
		})
	}
	t.Run("query in a subcollection", func(t *testing.T) {
		for _, parent := range []string{"a", "a?b", "100%"} {
			posts := firestore.NewCollection[User](c, "users/"+parent+"/posts")
			if _, err := posts.Set(ctx, "p1", User{Name: parent}); err != nil {
				t.Fatalf("Set post under %q: got error %v, want nil", parent, err)
			}
		}
		for _, parent := range []string{"a?b", "100%"} {
			posts := firestore.NewCollection[User](c, "users/"+parent+"/posts")
			got, err := posts.Query().Run(ctx)
			if err != nil {
				t.Fatalf("Run under %q: got error %v, want nil", parent, err)
			}
			if len(got) != 1 || got[0].Data.Name != parent {
				t.Errorf("Run under %q: got %v, want the one post stored under it", parent, names(got))
			}
		}
	})
	t.Run("delete", func(t *testing.T) {
		for _, id := range []string{"a?b", "100%", "x%2Fy"} {
			if err := users.Delete(ctx, id, firestore.Exists(true)); err != nil {
				t.Fatalf("Delete(%q): got error %v, want nil", id, err)
			}
			if _, err := users.Get(ctx, id); !errors.Is(err, firestore.ErrNotFound) {
				t.Errorf("Get(%q) after Delete: got %v, want ErrNotFound", id, err)
			}
		}
		for _, id := range []string{"a", "100", "x"} {
			if _, err := users.Get(ctx, id); err != nil {
				t.Errorf("Get(%q) after deleting IDs it prefixes: got %v, want nil", id, err)
			}
		}
	})
}
