package firestore_test

import (
	"context"
	"fmt"
	"time"

	"github.com/groundwork-go/groundwork/storage/firestore"
)

type Profile struct {
	Name    string    `firestore:"name"`
	Age     int       `firestore:"age"`
	Created time.Time `firestore:"created"`
}

func ExampleNew() {
	ctx := context.Background()
	client, err := firestore.New(ctx, "my-project", firestore.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	profiles := firestore.NewCollection[Profile](client, "profiles")
	adults, err := profiles.Query().Where("age", firestore.GreaterOrEqual, 18).OrderBy("age", firestore.Asc).Limit(20).Run(ctx)
	fmt.Println(len(adults), err)
}

// exampleClient connects with application default credentials.
func exampleClient(ctx context.Context) *firestore.Client {
	client, err := firestore.New(ctx, "my-project", firestore.Options{})
	if err != nil {
		panic(err)
	}
	return client
}

func ExampleNewCollection() {
	ctx := context.Background()
	profiles := firestore.NewCollection[Profile](exampleClient(ctx), "profiles")
	doc, err := profiles.Create(ctx, "ada", Profile{Name: "Ada", Age: 36, Created: time.Now()})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Bump the age only if nobody changed the document meanwhile.
	_, err = profiles.Update(ctx, "ada", Profile{Age: 37}, []string{"age"}, firestore.LastUpdated(doc.UpdateTime))
	fmt.Println(err)
}

func ExampleClient_RunTransaction() {
	ctx := context.Background()
	client := exampleClient(ctx)
	profiles := firestore.NewCollection[Profile](client, "profiles")
	err := client.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		p, err := profiles.In(tx).Get(ctx, "ada")
		if err != nil {
			return err
		}
		return profiles.In(tx).Update("ada", Profile{Age: p.Data.Age + 1}, []string{"age"})
	})
	fmt.Println(err)
}

func ExampleQuery_Documents() {
	ctx := context.Background()
	profiles := firestore.NewCollection[Profile](exampleClient(ctx), "profiles")
	for doc, err := range profiles.Query().OrderBy("created", firestore.Asc).Documents(ctx) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(doc.ID, doc.Data.Name)
	}
}

func ExampleCollectionGroup() {
	ctx := context.Background()
	// Every "posts" subcollection, whoever's profile it is under.
	recent := firestore.CollectionGroup[Profile](exampleClient(ctx), "posts").OrderBy("created", firestore.Desc).Limit(10)
	docs, err := recent.Run(ctx)
	fmt.Println(len(docs), err)
}
