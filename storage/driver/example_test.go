package driver_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/groundwork-go/groundwork/storage"
	"github.com/groundwork-go/groundwork/storage/driver"
)

func ExampleNewPageBuilder() {
	pb := driver.NewPageBuilder(storage.ListOptions{Delimiter: "/", PageSize: 2})
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
	rd := driver.NewReader(storage.Attributes{Key: "k", Size: 3}, io.NopCloser(strings.NewReader("abc")))
	defer rd.Close()
	b, _ := io.ReadAll(rd)
	fmt.Println(rd.Key, string(b))
	// Output: k abc
}

func ExampleResolveRange() {
	start, end, err := driver.ResolveRange(10, storage.GetOptions{Offset: 8, Length: 5})
	fmt.Println(start, end, err)
	// Output: 8 10 <nil>
}
