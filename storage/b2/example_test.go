package b2_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/groundwork-go/groundwork/storage"
	"github.com/groundwork-go/groundwork/storage/b2"
)

func ExampleNew() {
	ctx := context.Background()
	bucket, err := b2.New(ctx, os.Getenv("B2_KEY_ID"), os.Getenv("B2_APPLICATION_KEY"), "my-bucket", b2.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := bucket.Put(ctx, "hello.txt", strings.NewReader("hello"), storage.PutOptions{ContentType: "text/plain"}); err != nil {
		fmt.Println(err)
		return
	}
	url, err := bucket.SignedURL(ctx, "hello.txt", time.Hour)
	fmt.Println(url, err)
}
