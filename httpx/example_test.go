package httpx_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/groundwork-go/groundwork/httpx"
)

func ExampleDecode() {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Email string `form:"email" json:"email" validate:"required,email"`
		}
		if err := httpx.Decode(w, r, &in); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		httpx.WriteJSON(w, http.StatusOK, in)
	})
	req := httptest.NewRequest("POST", "/", strings.NewReader("email=not-an-email"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	fmt.Print(rec.Code, " ", rec.Body.String())
	// Output: 422 {"detail":[{"loc":["email"],"msg":"value is not a valid email address","type":"value_error.email"}]}
}

func ExampleWriteError() {
	rec := httptest.NewRecorder()
	httpx.WriteError(rec, httptest.NewRequest("GET", "/users/42", nil), httpx.NotFound("User not found"))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	// Output: 404 application/json
}

func ExampleChain() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	trusted, _ := httpx.ParseTrustedProxies("10.0.0.0/8")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ip", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, httpx.ClientIPFromRequest(r))
	})
	h := httpx.Chain(httpx.RequestID, httpx.ClientIP(trusted), httpx.AccessLog(logger, httpx.AccessLogOptions{}), httpx.Recover)(httpx.JSONErrors(mux))

	req := httptest.NewRequest("GET", "/ip", nil)
	req.RemoteAddr = "10.0.0.5:1234"
	req.Header.Set("X-Forwarded-For", "198.51.100.4")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Body.String())
	// Output: 198.51.100.4
}

func ExampleCORS() {
	h := httpx.CORS(httpx.CORSOptions{AllowedOrigins: []string{"https://app.example"}})(http.NotFoundHandler())
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Origin", "https://app.example")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Header().Get("Access-Control-Allow-Origin"), rec.Header().Get("Access-Control-Allow-Credentials"))
	// Output: https://app.example true
}

func ExampleDeprecated() {
	mux := http.NewServeMux()
	mux.Handle("GET /v1/things", httpx.Deprecated(
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		httpx.DeprecationOptions{
			Sunset: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC),
			Link:   "https://example.com/docs/migrate-to-v2",
		},
	)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteJSON(w, http.StatusOK, []string{})
	})))
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/things", nil))
	for _, name := range []string{"Deprecation", "Sunset", "Link"} {
		fmt.Printf("%s: %s\n", name, rec.Header().Get(name))
	}
	// Output:
	// Deprecation: @1767225600
	// Sunset: Wed, 01 Jul 2026 00:00:00 GMT
	// Link: <https://example.com/docs/migrate-to-v2>; rel="deprecation"
}

func ExampleAccessLog() {
	// A JSON log without the attributes that change from run to run.
	logger := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			switch a.Key {
			case slog.TimeKey, "duration":
				return slog.Attr{}
			}
			return a
		},
	}))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		httpx.AddLogAttrs(r.Context(), slog.String("user_id", r.PathValue("id")))
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"id": r.PathValue("id")})
	})
	h := httpx.AccessLog(logger, httpx.AccessLogOptions{})(mux)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/users/42?token=secret", nil))
	// Output:
	// {"level":"INFO","msg":"request","method":"GET","route":"GET /users/{id}","path":"/users/42","status":200,"bytes":12,"request_id":"","user_id":"42"}
}

func ExampleJSONErrors() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /things/{id}", func(w http.ResponseWriter, r *http.Request) {})
	h := httpx.JSONErrors(mux)
	for _, req := range []*http.Request{
		httptest.NewRequest("GET", "/nowhere", nil),
		httptest.NewRequest("DELETE", "/things/1", nil),
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var body struct {
			Code string `json:"error_code"`
		}
		json.Unmarshal(rec.Body.Bytes(), &body)
		fmt.Printf("%d %s %s Allow=%q\n", rec.Code, rec.Header().Get("Content-Type"), body.Code, rec.Header().Get("Allow"))
	}
	// Output:
	// 404 application/json NOT_FOUND Allow=""
	// 405 application/json METHOD_NOT_ALLOWED Allow="GET, HEAD"
}

func ExampleTrustedProxies_Resolve() {
	trusted, _ := httpx.ParseTrustedProxies("10.0.0.0/8")
	trusted.Header = httpx.HeaderForwarded

	req := httptest.NewRequest("GET", "/", nil)
	req.RemoteAddr = "10.0.0.5:1234"
	// The client's own claim, then what the trusted proxy appended.
	req.Header.Add("Forwarded", `for=192.0.2.1`)
	req.Header.Add("Forwarded", `for="[2001:db8:cafe::17]:4711";proto=https`)
	req.Header.Set("X-Forwarded-For", "198.51.100.9") // not the selected header: ignored
	fmt.Println(trusted.Resolve(req))
	// Output: 2001:db8:cafe::17
}
