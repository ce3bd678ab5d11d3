package storage_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/groundwork-go/groundwork/storage"
)

func ExampleNewMemoryBucket() {
	ctx := context.Background()
	bucket := storage.NewMemoryBucket(storage.MemoryOptions{})

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

func ExampleNewPageBuilder() {
	pb := storage.NewPageBuilder(storage.ListOptions{Delimiter: "/", PageSize: 2})
	for _, key := range []string{"a.txt", "img/1.png", "img/2.png", "z.txt"} {
		if !pb.Add(key, func() storage.Attributes { return storage.Attributes{Key: key} }) {
			break
		}
	}
	page := pb.Page()
	fmt.Println(len(page.Objects), page.Prefixes, page.NextPageToken != "")
	// Output: 1 [img/] true
}

func ExampleNewReader() {
	rd := storage.NewReader(storage.Attributes{Key: "k", Size: 3}, io.NopCloser(strings.NewReader("abc")))
	defer rd.Close()
	b, _ := io.ReadAll(rd)
	fmt.Println(rd.Key, string(b))
	// Output: k abc
}
