package cache_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/redis/rueidis"

	"github.com/groundwork-go/groundwork/cache"
)

func ExampleNewMemoryStore() {
	ctx := context.Background()
	store := cache.NewMemoryStore(cache.MemoryOptions{})
	store.Set(ctx, "greeting", []byte("hello"), time.Minute, "greetings")
	v, _ := store.Get(ctx, "greeting")
	fmt.Println(string(v))

	store.DeleteTag(ctx, "greetings")
	_, err := store.Get(ctx, "greeting")
	fmt.Println(err)
	// Output:
	// hello
	// cache: get: not found
}

func ExampleNewRedisStore() {
	// The application's one shared client; the store does not close it.
	client, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{"127.0.0.1:6379"}})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	store := cache.NewRedisStore(client, cache.RedisOptions{Prefix: "myapp:cache:"})

	ctx := context.Background()
	if err := store.Set(ctx, "greeting", []byte("hello"), time.Minute); err != nil {
		log.Fatal(err)
	}
	// Served from process memory until some process writes the key.
	v, err := store.Get(ctx, "greeting")
	fmt.Println(string(v), err)
}

func ExampleNewTyped() {
	type User struct {
		ID   int    `json:"id"`
		Name string `json:"name"`
	}
	ctx := context.Background()
	users := cache.NewTyped[User](cache.NewMemoryStore(cache.MemoryOptions{}), cache.TypedOptions{
		Name: "users",
		TTL:  5 * time.Minute,
	})
	load := func(ctx context.Context) (User, error) {
		fmt.Println("loading from the database")
		return User{ID: 42, Name: "Ada"}, nil
	}
	for range 2 {
		u, err := users.GetOrLoad(ctx, "user:42", load)
		fmt.Println(u.Name, err)
	}
	users.Delete(ctx, "user:42") // after the profile changes
	u, _ := users.GetOrLoad(ctx, "user:42", load)
	fmt.Println(u.Name)
	// Output:
	// loading from the database
	// Ada <nil>
	// Ada <nil>
	// loading from the database
	// Ada
}
