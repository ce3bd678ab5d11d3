package storage_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/groundwork-go/groundwork/storage"
	"github.com/groundwork-go/groundwork/storage/memory"
)

// Application code is written against storage.Bucket; here the memory
// backend stands in for B2 or GCS.
func Example() {
	ctx := context.Background()
	var bucket storage.Bucket = memory.New(memory.Options{})

	attrs, err := bucket.Put(ctx, "notes/hello.txt", strings.NewReader("hello, world"), storage.PutOptions{ContentType: "text/plain"})
	if err != nil {
		panic(err)
	}
	fmt.Println(attrs.Key, attrs.Size, attrs.ContentType)

	rd, err := bucket.Get(ctx, "notes/hello.txt", storage.GetOptions{Offset: 7, Length: 5})
	if err != nil {
		panic(err)
	}
	defer rd.Close()
	part, _ := io.ReadAll(rd)
	fmt.Println(string(part))

	_, err = bucket.Stat(ctx, "notes/missing.txt")
	fmt.Println(errors.Is(err, storage.ErrNotExist))
	// Output:
	// notes/hello.txt 12 text/plain
	// world
	// true
}
