package memory_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/groundwork-go/groundwork/storage"
	"github.com/groundwork-go/groundwork/storage/memory"
)

func ExampleNew() {
	ctx := context.Background()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// The bucket serves its own signed URLs under /files.
	bucket := memory.New(memory.Options{BaseURL: srv.URL + "/files"})
	mux.Handle("/files/", http.StripPrefix("/files", bucket))

	if _, err := bucket.Put(ctx, "notes/hello.txt", strings.NewReader("hello, world"), storage.PutOptions{ContentType: "text/plain"}); err != nil {
		panic(err)
	}
	url, err := bucket.SignedURL(ctx, "notes/hello.txt", time.Minute)
	if err != nil {
		panic(err)
	}
	resp, err := http.Get(url)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
	// Output: 200 hello, world
}
