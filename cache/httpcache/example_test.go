package httpcache_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/groundwork-go/groundwork/cache"
	"github.com/groundwork-go/groundwork/cache/httpcache"
)

func ExampleNew() {
	store := cache.NewMemoryStore(cache.MemoryOptions{})
	spec := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"openapi":"3.1.0"}`)
	})
	mux := http.NewServeMux()
	mux.Handle("GET /openapi.json", httpcache.New(store, httpcache.Options{TTL: time.Hour})(spec))

	for range 2 {
		rr := httptest.NewRecorder()
		mux.ServeHTTP(rr, httptest.NewRequest("GET", "/openapi.json", nil))
		fmt.Println(rr.Code, rr.Header().Get(httpcache.CacheStatusHeader), rr.Body.String())
	}
	// Output:
	// 200 MISS {"openapi":"3.1.0"}
	// 200 HIT {"openapi":"3.1.0"}
}
