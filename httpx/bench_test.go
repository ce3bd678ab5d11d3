package httpx

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkCORS measures the CORS middleware on an allowed cross-origin
// request and on a preflight.
func BenchmarkCORS(b *testing.B) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	h := CORS(CORSOptions{AllowedOrigins: []string{"https://app.example"}})(ok)
	for _, bc := range []struct {
		name      string
		preflight bool
	}{{"actual", false}, {"preflight", true}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("Origin", "https://app.example")
			if bc.preflight {
				r.Method = http.MethodOptions
				r.Header.Set("Access-Control-Request-Method", "PATCH")
				r.Header.Set("Access-Control-Request-Headers", "authorization")
			}
			for b.Loop() {
				ok := &discardWriter{h: http.Header{}}
				h.ServeHTTP(ok, r)
			}
		})
	}
}

// BenchmarkDecodeForm measures Decode of a URL-encoded signup form,
// validation included.
func BenchmarkDecodeForm(b *testing.B) {
	const body = "username=johndoe&email=john%40example.com&first_name=John&age=41"
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		var dst signupForm
		if err := Decode(&discardWriter{h: http.Header{}}, r, &dst); err != nil {
			b.Fatal(err)
		}
	}
}

// discardWriter is a ResponseWriter that keeps only its header.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}
