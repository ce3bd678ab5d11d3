package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

type envelopeBody struct {
	Detail    string `json:"detail"`
	ErrorCode string `json:"error_code"`
	Timestamp string `json:"timestamp"`
}

func decodeEnvelope(t *testing.T, rec *httptest.ResponseRecorder) envelopeBody {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type = %q, want application/json", ct)
	}
	var env envelopeBody
	if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
		t.Fatalf("body %q is not an envelope: %v", rec.Body.String(), err)
	}
	if _, err := time.Parse(time.RFC3339, env.Timestamp); err != nil || !strings.HasSuffix(env.Timestamp, "Z") {
		t.Fatalf("timestamp %q is not RFC 3339 UTC", env.Timestamp)
	}
	return env
}

func TestWriteErrorEnvelope(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantCode   string
		wantDetail string
	}{
		{"not found", NotFound("User not found"), 404, CodeNotFound, "User not found"},
		{"wrapped httpx error", errors.Join(errors.New("ctx"), Unauthorized("bad token")), 401, CodeUnauthorized, "bad token"},
		{"plain error hides its text", errors.New("pq: password authentication failed for secret-host"), 500, CodeInternal, "Internal server error"},
		{"cause not sent", ServiceUnavailable("Service temporarily unavailable").WithCause(errors.New("dial tcp 10.0.0.1:6379")), 503, CodeServiceUnavailable, "Service temporarily unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			WriteError(rec, httptest.NewRequest("GET", "/", nil), tt.err)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d", rec.Code, tt.wantStatus)
			}
			env := decodeEnvelope(t, rec)
			if env.ErrorCode != tt.wantCode || env.Detail != tt.wantDetail {
				t.Fatalf("got (%q, %q), want (%q, %q)", env.ErrorCode, env.Detail, tt.wantCode, tt.wantDetail)
			}
			if strings.Contains(rec.Body.String(), "10.0.0.1") || strings.Contains(rec.Body.String(), "secret-host") {
				t.Fatalf("cause leaked to client: %s", rec.Body.String())
			}
		})
	}
}

type signupForm struct {
	Username  string `form:"username" json:"username" validate:"required,min=3,max=50"`
	Email     string `form:"email" json:"email" validate:"required,email"`
	Age       int    `form:"age" json:"age" validate:"omitempty,min=0"`
	FirstName string `form:"first_name" json:"first_name" validate:"required,min=1,max=50"`
}

type validationBody struct {
	Detail []FieldError `json:"detail"`
}

func serveDecode(t *testing.T, contentType string, body io.Reader, dst any) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("POST", "/", body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	if err := Decode(rec, req, dst); err != nil {
		WriteError(rec, req, err)
	} else {
		WriteJSON(rec, 200, dst)
	}
	return rec
}

func TestDecodeFormats(t *testing.T) {
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	mw.WriteField("username", "johndoe")
	mw.WriteField("email", "john@example.com")
	mw.WriteField("first_name", "John")
	mw.WriteField("age", "41")
	mw.Close()
	tests := []struct {
		name        string
		contentType string
		body        string
	}{
		{"json", "application/json", `{"username":"johndoe","email":"john@example.com","first_name":"John","age":41}`},
		{"json charset", "application/json; charset=utf-8", `{"username":"johndoe","email":"john@example.com","first_name":"John","age":41}`},
		{"urlencoded", "application/x-www-form-urlencoded", "username=johndoe&email=john%40example.com&first_name=John&age=41"},
		{"multipart", mw.FormDataContentType(), mp.String()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got signupForm
			rec := serveDecode(t, tt.contentType, strings.NewReader(tt.body), &got)
			if rec.Code != 200 {
				t.Fatalf("status = %d (%s), want 200", rec.Code, rec.Body)
			}
			want := signupForm{Username: "johndoe", Email: "john@example.com", Age: 41, FirstName: "John"}
			if got != want {
				t.Fatalf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		wantStatus  int
		wantCode    string
	}{
		{"malformed json", "application/json", `{"username": "x",`, 400, CodeBadRequest},
		{"json syntax", "application/json", `{username}`, 400, CodeBadRequest},
		{"empty body", "application/json", ``, 400, CodeBadRequest},
		{"two values", "application/json", `{} {}`, 400, CodeBadRequest},
		{"too large json", "application/json", `{"username":"` + strings.Repeat("a", DefaultMaxBodyBytes) + `"}`, 413, CodePayloadTooLarge},
		{"too large form", "application/x-www-form-urlencoded", "username=" + strings.Repeat("a", DefaultMaxBodyBytes), 413, CodePayloadTooLarge},
		{"unsupported type", "text/xml", `<a/>`, 415, CodeUnsupportedMedia},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dst signupForm
			rec := serveDecode(t, tt.contentType, strings.NewReader(tt.body), &dst)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d (%s), want %d", rec.Code, rec.Body, tt.wantStatus)
			}
			if env := decodeEnvelope(t, rec); env.ErrorCode != tt.wantCode {
				t.Fatalf("error_code = %q, want %q", env.ErrorCode, tt.wantCode)
			}
		})
	}
}

func TestDecodeValidation(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		want        []FieldError
	}{
		{"missing email form", "application/x-www-form-urlencoded", "username=johndoe&first_name=J", []FieldError{
			{Loc: []string{"email"}, Msg: "field required", Type: "value_error.missing"}}},
		{"short username and bad email json", "application/json", `{"username":"jo","email":"nope","first_name":"J"}`, []FieldError{
			{Loc: []string{"username"}, Msg: "ensure this value has at least 3 characters", Type: "value_error.any_str.min_length"},
			{Loc: []string{"email"}, Msg: "value is not a valid email address", Type: "value_error.email"}}},
		{"wrong json type", "application/json", `{"username":"johndoe","email":"a@b.co","first_name":"J","age":"old"}`, []FieldError{
			{Loc: []string{"age"}, Msg: "value is not a valid integer", Type: "type_error.integer"}}},
		{"wrong form type", "application/x-www-form-urlencoded", "username=johndoe&email=a%40b.co&first_name=J&age=old", []FieldError{
			{Loc: []string{"age"}, Msg: "value is not a valid integer", Type: "type_error.integer"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dst signupForm
			rec := serveDecode(t, tt.contentType, strings.NewReader(tt.body), &dst)
			if rec.Code != 422 {
				t.Fatalf("status = %d (%s), want 422", rec.Code, rec.Body)
			}
			var got validationBody
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("decode 422 body %s: %v", rec.Body, err)
			}
			gotJSON, _ := json.Marshal(got.Detail)
			wantJSON, _ := json.Marshal(tt.want)
			if string(gotJSON) != string(wantJSON) {
				t.Fatalf("detail = %s, want %s", gotJSON, wantJSON)
			}
		})
	}
}

func TestClientIPResolution(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.0.0.0/8, 192.168.1.1, fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	withHeader := func(h ForwardingHeader) TrustedProxies {
		tp := trusted
		tp.Header = h
		return tp
	}
	xff, realIP, fwd := withHeader(HeaderXForwardedFor), withHeader(HeaderXRealIP), withHeader(HeaderForwarded)
	tests := []struct {
		name    string
		trusted TrustedProxies
		remote  string
		headers []string // name, value pairs; a name may repeat
		want    string
	}{
		{"no proxies ignores XFF", TrustedProxies{}, "203.0.113.7:5555", []string{"X-Forwarded-For", "1.2.3.4"}, "203.0.113.7"},
		{"no proxies ignores X-Real-IP", TrustedProxies{Header: HeaderXRealIP}, "203.0.113.7:5555", []string{"X-Real-IP", "1.2.3.4"}, "203.0.113.7"},
		{"no proxies ignores Forwarded", TrustedProxies{Header: HeaderForwarded}, "203.0.113.7:5555", []string{"Forwarded", "for=1.2.3.4"}, "203.0.113.7"},
		{"untrusted peer ignores XFF", trusted, "203.0.113.7:5555", []string{"X-Forwarded-For", "1.2.3.4"}, "203.0.113.7"},
		{"trusted peer uses right-most untrusted hop", trusted, "10.1.1.1:80", []string{"X-Forwarded-For", "1.2.3.4, 198.51.100.9"}, "198.51.100.9"},
		{"spoofed left-most entry is skipped", trusted, "10.1.1.1:80", []string{"X-Forwarded-For", "6.6.6.6", "X-Forwarded-For", "198.51.100.9, 10.2.2.2"}, "198.51.100.9"},
		{"all hops trusted gives left-most", trusted, "10.1.1.1:80", []string{"X-Forwarded-For", "10.9.9.9, 192.168.1.1"}, "10.9.9.9"},
		{"malformed hop falls back to peer", trusted, "10.1.1.1:80", []string{"X-Forwarded-For", "1.2.3.4, garbage"}, "10.1.1.1"},
		{"XFF hop with port", trusted, "10.1.1.1:80", []string{"X-Forwarded-For", "1.2.3.4:5555"}, "1.2.3.4"},
		{"XFF bracketed IPv6 with port", trusted, "10.1.1.1:80", []string{"X-Forwarded-For", "[2001:db8::1]:443"}, "2001:db8::1"},
		{"XFF bracketed IPv6", trusted, "10.1.1.1:80", []string{"X-Forwarded-For", "[2001:db8::1]"}, "2001:db8::1"},
		{"XFF bare IPv6", trusted, "10.1.1.1:80", []string{"X-Forwarded-For", "2001:db8::1"}, "2001:db8::1"},
		{"XFF zone dropped", trusted, "10.1.1.1:80", []string{"X-Forwarded-For", "fe80::1%eth0"}, "fe80::1"},
		{"XFF ipv4-mapped", trusted, "10.1.1.1:80", []string{"X-Forwarded-For", "[::ffff:198.51.100.3]:80"}, "198.51.100.3"},
		{"XFF port on trusted hop", trusted, "10.1.1.1:80", []string{"X-Forwarded-For", "198.51.100.9:1, 10.2.2.2:8080"}, "198.51.100.9"},
		{"XFF bad port", trusted, "10.1.1.1:80", []string{"X-Forwarded-For", "1.2.3.4:http"}, "10.1.1.1"},
		{"XFF bracketed IPv4", trusted, "10.1.1.1:80", []string{"X-Forwarded-For", "[1.2.3.4]"}, "10.1.1.1"},
		{"XFF selected ignores X-Real-IP", xff, "192.168.1.1:80", []string{"X-Real-IP", "198.51.100.2"}, "192.168.1.1"},
		{"XFF selected ignores Forwarded", xff, "192.168.1.1:80", []string{"Forwarded", "for=198.51.100.2"}, "192.168.1.1"},
		{"X-Real-IP from trusted peer", realIP, "192.168.1.1:80", []string{"X-Real-IP", "198.51.100.2"}, "198.51.100.2"},
		{"X-Real-IP with port", realIP, "192.168.1.1:80", []string{"X-Real-IP", "[2001:db8::5]:443"}, "2001:db8::5"},
		{"X-Real-IP last field wins", realIP, "192.168.1.1:80", []string{"X-Real-IP", "6.6.6.6", "X-Real-IP", "198.51.100.2"}, "198.51.100.2"},
		{"X-Real-IP list is malformed", realIP, "192.168.1.1:80", []string{"X-Real-IP", "6.6.6.6, 198.51.100.2"}, "192.168.1.1"},
		{"X-Real-IP selected ignores XFF", realIP, "192.168.1.1:80", []string{"X-Forwarded-For", "198.51.100.2"}, "192.168.1.1"},
		{"Forwarded selected ignores XFF and X-Real-IP", fwd, "10.1.1.1:80", []string{"X-Forwarded-For", "1.1.1.1", "X-Real-IP", "2.2.2.2"}, "10.1.1.1"},
		{"Forwarded RFC 7239 example", fwd, "10.1.1.1:80", []string{"Forwarded", `for=192.0.2.60;proto=http;by=203.0.113.43, for="[2001:db8:cafe::17]:4711"`}, "2001:db8:cafe::17"},
		{"Forwarded quoted loopback with port", fwd, "10.1.1.1:80", []string{"Forwarded", `for="[::1]:80"`}, "::1"},
		{"Forwarded IPv4 with port", fwd, "10.1.1.1:80", []string{"Forwarded", `for="198.51.100.4:5555"`}, "198.51.100.4"},
		{"Forwarded parameter case", fwd, "10.1.1.1:80", []string{"Forwarded", `For=198.51.100.4;PROTO=https`}, "198.51.100.4"},
		{"Forwarded skips trusted hops", fwd, "10.1.1.1:80", []string{"Forwarded", `for=6.6.6.6, for=198.51.100.4, for="[fd00::9]"`}, "198.51.100.4"},
		{"Forwarded over several fields", fwd, "10.1.1.1:80", []string{"Forwarded", `for=6.6.6.6`, "Forwarded", `for=198.51.100.4;by=_proxy`}, "198.51.100.4"},
		{"Forwarded obfuscated left of client", fwd, "10.1.1.1:80", []string{"Forwarded", `for=_hidden, for=198.51.100.4`}, "198.51.100.4"},
		{"Forwarded obfuscated right-most", fwd, "10.1.1.1:80", []string{"Forwarded", `for=198.51.100.4, for=_hidden`}, "10.1.1.1"},
		{"Forwarded unknown right-most", fwd, "10.1.1.1:80", []string{"Forwarded", `for=198.51.100.4, for=unknown`}, "10.1.1.1"},
		{"Forwarded obfuscated port", fwd, "10.1.1.1:80", []string{"Forwarded", `for="198.51.100.4:_p1"`}, "198.51.100.4"},
		{"Forwarded quoted comma does not split", fwd, "10.1.1.1:80", []string{"Forwarded", `for=198.51.100.4;ext="a, for=6.6.6.6"`}, "198.51.100.4"},
		{"Forwarded escaped quote", fwd, "10.1.1.1:80", []string{"Forwarded", `ext="x\"y";for=198.51.100.4`}, "198.51.100.4"},
		{"Forwarded element without for", fwd, "10.1.1.1:80", []string{"Forwarded", `for=198.51.100.4, proto=https`}, "10.1.1.1"},
		{"Forwarded two for in one element", fwd, "10.1.1.1:80", []string{"Forwarded", `for=198.51.100.4;for=6.6.6.6`}, "10.1.1.1"},
		{"Forwarded unterminated quote", fwd, "10.1.1.1:80", []string{"Forwarded", `for="198.51.100.4`}, "10.1.1.1"},
		{"Forwarded malformed field before a good one", fwd, "10.1.1.1:80", []string{"Forwarded", `for="6.6.6.6`, "Forwarded", `for=198.51.100.4`}, "198.51.100.4"},
		{"Forwarded pair without value separator", fwd, "10.1.1.1:80", []string{"Forwarded", `garbage`}, "10.1.1.1"},
		{"Forwarded empty elements skipped", fwd, "10.1.1.1:80", []string{"Forwarded", `, for=198.51.100.4 ,`}, "198.51.100.4"},
		{"ipv6 peer", TrustedProxies{}, "[2001:db8::1]:443", []string{"X-Forwarded-For", "1.2.3.4"}, "2001:db8::1"},
		{"ipv4-mapped peer", TrustedProxies{}, "[::ffff:203.0.113.7]:443", nil, "203.0.113.7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			for i := 0; i < len(tt.headers); i += 2 {
				r.Header.Add(tt.headers[i], tt.headers[i+1])
			}
			var got netip.Addr
			ClientIP(tt.trusted)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = ClientIPFromRequest(r)
			})).ServeHTTP(httptest.NewRecorder(), r)
			if got.String() != tt.want {
				t.Fatalf("client IP: got %s, want %s", got, tt.want)
			}
		})
	}
	if _, err := ParseTrustedProxies("10.0.0.0/33"); err == nil {
		t.Fatal("ParseTrustedProxies accepted an invalid CIDR")
	}
}

func TestParseForwardingHeader(t *testing.T) {
	tests := []struct {
		in      string
		want    ForwardingHeader
		wantErr bool
	}{
		{"", HeaderXForwardedFor, false},
		{"X-Forwarded-For", HeaderXForwardedFor, false},
		{"x-real-ip", HeaderXRealIP, false},
		{" Forwarded ", HeaderForwarded, false},
		{"X-Client-IP", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseForwardingHeader(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseForwardingHeader(%q): got %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
	for _, h := range []ForwardingHeader{HeaderXForwardedFor, HeaderXRealIP, HeaderForwarded} {
		if got, err := ParseForwardingHeader(h.String()); err != nil || got != h {
			t.Errorf("ParseForwardingHeader(%q): got %v, %v; want %v", h.String(), got, err, h)
		}
	}
}

func newTestMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /things/{id}", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, 200, map[string]string{"id": r.PathValue("id")})
	})
	mux.HandleFunc("GET /panic", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	mux.HandleFunc("GET /missing", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, NotFound("Thing not found"))
	})
	return mux
}

func TestRoutingErrorsAndRecovery(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	h := Chain(RequestID, AccessLog(logger, AccessLogOptions{}), Recover)(JSONErrors(newTestMux()))
	tests := []struct {
		method, path string
		wantStatus   int
		wantCode     string
		wantAllow    string
	}{
		{"GET", "/nope", 404, CodeNotFound, ""},
		{"POST", "/things/1", 405, CodeMethodNotAllowed, "GET, HEAD"},
		{"GET", "/panic", 500, CodeInternal, ""},
		{"GET", "/missing", 404, CodeNotFound, ""},
		{"GET", "/things/7", 200, "", ""}, // the server keeps serving after a panic
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
		if rec.Code != tt.wantStatus {
			t.Fatalf("%s %s: status = %d, want %d", tt.method, tt.path, rec.Code, tt.wantStatus)
		}
		if tt.wantCode != "" {
			if env := decodeEnvelope(t, rec); env.ErrorCode != tt.wantCode {
				t.Fatalf("%s %s: error_code = %q, want %q", tt.method, tt.path, env.ErrorCode, tt.wantCode)
			}
		}
		if tt.wantAllow != "" && rec.Header().Get("Allow") != tt.wantAllow {
			t.Fatalf("Allow = %q, want %q", rec.Header().Get("Allow"), tt.wantAllow)
		}
		if rec.Header().Get(RequestIDHeader) == "" {
			t.Fatalf("%s %s: no X-Request-ID", tt.method, tt.path)
		}
	}
	if !strings.Contains(logs.String(), `"panic":"boom"`) || !strings.Contains(logs.String(), "stack") {
		t.Fatalf("panic not logged with stack: %s", logs.String())
	}
	if !strings.Contains(logs.String(), `"route":"GET /things/{id}"`) {
		t.Fatalf("access log lacks the route pattern: %s", logs.String())
	}
}

func TestRequestIDAcceptedOrGenerated(t *testing.T) {
	var seen string
	h := RequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = RequestIDFromContext(r.Context())
	}))
	for _, tt := range []struct{ in, want string }{
		{"abc-123", "abc-123"},
		{"bad id with spaces", ""},
		{strings.Repeat("x", 200), ""},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set(RequestIDHeader, tt.in)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		got := rec.Header().Get(RequestIDHeader)
		if got != seen {
			t.Fatalf("echoed %q, context %q", got, seen)
		}
		if tt.want != "" && got != tt.want {
			t.Fatalf("request id = %q, want %q", got, tt.want)
		}
		if tt.want == "" && (got == tt.in || len(got) != 32) {
			t.Fatalf("request id = %q, want a generated 32-hex id", got)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	h := BodyLimit(16)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var v map[string]string
		if err := Decode(w, r, &v); err != nil {
			WriteError(w, r, err)
			return
		}
		w.WriteHeader(204)
	}))
	// Declared too large: rejected before reading.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/", strings.NewReader(`{"a":"0123456789abcdef"}`)))
	if rec.Code != 413 {
		t.Fatalf("declared oversize: status = %d, want 413", rec.Code)
	}
	// Unknown length (chunked) that grows past the limit while read.
	req := httptest.NewRequest("POST", "/", io.MultiReader(strings.NewReader(`{"a":"`), strings.NewReader(strings.Repeat("z", 64)+`"}`)))
	req.ContentLength = -1
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 413 || decodeEnvelope(t, rec).ErrorCode != CodePayloadTooLarge {
		t.Fatalf("streamed oversize: status = %d, want 413 PAYLOAD_TOO_LARGE", rec.Code)
	}
}

func TestSecurityHeaders(t *testing.T) {
	rec := httptest.NewRecorder()
	SecurityHeaders(SecurityOptions{HSTSMaxAge: 24 * time.Hour})(http.NotFoundHandler()).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	want := map[string]string{
		"X-Content-Type-Options":    "nosniff",
		"X-Frame-Options":           "DENY",
		"Referrer-Policy":           "strict-origin-when-cross-origin",
		"Strict-Transport-Security": "max-age=86400; includeSubDomains",
	}
	for k, v := range want {
		if got := rec.Header().Get(k); got != v {
			t.Fatalf("%s = %q, want %q", k, got, v)
		}
	}

	// A handler that edits its response's values in place or adds to them
	// touches only its own response.
	mw := SecurityHeaders(SecurityOptions{})
	editing := mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["X-Frame-Options"][0] = "SAMEORIGIN"
		w.Header().Add("X-Content-Type-Options", "extra")
	}))
	editing.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	rec = httptest.NewRecorder()
	mw(http.NotFoundHandler()).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if got := rec.Header().Values("X-Frame-Options"); len(got) != 1 || got[0] != "DENY" {
		t.Fatalf("X-Frame-Options after another response edited its own: %q", got)
	}
	if got := rec.Header().Values("Referrer-Policy"); len(got) != 1 || got[0] != "strict-origin-when-cross-origin" {
		t.Fatalf("Referrer-Policy after another response added a value: %q", got)
	}
}

func TestCORS(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) })
	tests := []struct {
		name        string
		opts        CORSOptions
		method      string
		origin      string
		preflight   bool
		wantStatus  int
		wantOrigin  string
		wantCreds   string
		wantMethods string
	}{
		{"default any origin is star without credentials", CORSOptions{}, "GET", "https://a.example", false, 200, "*", "", ""},
		{"explicit star is star without credentials", CORSOptions{AllowedOrigins: []string{"*"}}, "GET", "https://a.example", false, 200, "*", "", ""},
		{"reflect any origin with credentials", CORSOptions{ReflectAnyOrigin: true}, "GET", "https://a.example", false, 200, "https://a.example", "true", ""},
		{"reflect any origin without credentials uses star", CORSOptions{ReflectAnyOrigin: true, DisableCredentials: true}, "GET", "https://a.example", false, 200, "*", "", ""},
		{"listed origin", CORSOptions{AllowedOrigins: []string{"https://a.example"}}, "GET", "https://a.example", false, 200, "https://a.example", "true", ""},
		{"listed origin with trailing slash", CORSOptions{AllowedOrigins: []string{"https://A.example/"}}, "GET", "https://a.example", false, 200, "https://a.example", "true", ""},
		{"listed origin without credentials", CORSOptions{AllowedOrigins: []string{"https://a.example"}, DisableCredentials: true}, "GET", "https://a.example", false, 200, "https://a.example", "", ""},
		{"unlisted origin gets no CORS headers", CORSOptions{AllowedOrigins: []string{"https://a.example"}}, "GET", "https://evil.example", false, 200, "", "", ""},
		{"preflight any origin", CORSOptions{}, "OPTIONS", "https://a.example", true, 204, "*", "", "PATCH"},
		{"preflight reflected", CORSOptions{ReflectAnyOrigin: true}, "OPTIONS", "https://a.example", true, 204, "https://a.example", "true", "PATCH"},
		{"preflight with method list", CORSOptions{AllowedOrigins: []string{"https://a.example"}, AllowedMethods: []string{"GET", "PATCH"}}, "OPTIONS", "https://a.example", true, 204, "https://a.example", "true", "PATCH"},
		{"preflight for an unlisted method", CORSOptions{AllowedOrigins: []string{"https://a.example"}, AllowedMethods: []string{"GET", "POST"}}, "OPTIONS", "https://a.example", true, 204, "", "", ""},
		{"preflight for unlisted headers", CORSOptions{AllowedOrigins: []string{"https://a.example"}, AllowedHeaders: []string{"Authorization"}}, "OPTIONS", "https://a.example", true, 204, "", "", ""},
		{"preflight for listed headers", CORSOptions{AllowedOrigins: []string{"https://a.example"}, AllowedHeaders: []string{"Authorization", "Content-Type"}}, "OPTIONS", "https://a.example", true, 204, "https://a.example", "true", "PATCH"},
		{"wildcard origin entry", CORSOptions{AllowedOrigins: []string{"https://*.example"}}, "GET", "https://a.example", false, 200, "https://a.example", "true", ""},
		{"preflight from unlisted origin", CORSOptions{AllowedOrigins: []string{"https://a.example"}}, "OPTIONS", "https://evil.example", true, 204, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "/", nil)
			r.Header.Set("Origin", tt.origin)
			if tt.preflight {
				r.Header.Set("Access-Control-Request-Method", "PATCH")
				r.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
			}
			rec := httptest.NewRecorder()
			CORS(tt.opts)(ok).ServeHTTP(rec, r)
			h := rec.Header()
			if rec.Code != tt.wantStatus || h.Get("Access-Control-Allow-Origin") != tt.wantOrigin ||
				h.Get("Access-Control-Allow-Credentials") != tt.wantCreds || h.Get("Access-Control-Allow-Methods") != tt.wantMethods {
				t.Fatalf("got status %d origin %q creds %q methods %q; want %d %q %q %q", rec.Code,
					h.Get("Access-Control-Allow-Origin"), h.Get("Access-Control-Allow-Credentials"), h.Get("Access-Control-Allow-Methods"),
					tt.wantStatus, tt.wantOrigin, tt.wantCreds, tt.wantMethods)
			}
			if h.Get("Access-Control-Allow-Origin") == "*" && h.Get("Access-Control-Allow-Credentials") != "" {
				t.Fatal("literal * sent together with credentials")
			}
			if !strings.Contains(strings.Join(h.Values("Vary"), ","), "Origin") {
				t.Fatalf("Vary: got %q, want it to name Origin", h.Values("Vary"))
			}
			if tt.wantOrigin != "" && !tt.preflight && h.Get("Access-Control-Expose-Headers") == "" {
				t.Fatal("no Access-Control-Expose-Headers on an allowed request")
			}
			if tt.preflight && tt.wantOrigin != "" && h.Get("Access-Control-Max-Age") != "600" {
				t.Fatalf("Access-Control-Max-Age: got %q, want 600", h.Get("Access-Control-Max-Age"))
			}
		})
	}
}

func TestAccessLogLevels(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	h := Chain(AccessLog(logger, AccessLogOptions{}), Recover)(JSONErrors(newTestMux()))
	for _, path := range []string{"/things/1", "/panic"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	out := logs.String()
	if strings.Contains(out, "path=/things/1") {
		t.Fatalf("200 logged at warn level: %s", out)
	}
	if !strings.Contains(out, "path=/panic") || !strings.Contains(out, "status=500") {
		t.Fatalf("500 not logged at warn level: %s", out)
	}
}

type kindsForm struct {
	Name    string                  `form:"name"`
	Admin   bool                    `form:"admin"`
	Score   *float64                `form:"score"`
	Tags    []string                `form:"tag"`
	Counts  []int                   `form:"count"`
	Skipped string                  `form:"-"`
	Avatar  *multipart.FileHeader   `form:"avatar"`
	Docs    []*multipart.FileHeader `form:"docs"`
}

func TestDecodeFormKinds(t *testing.T) {
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	mw.WriteField("name", "Ann")
	mw.WriteField("admin", "true")
	mw.WriteField("score", "2.5")
	mw.WriteField("tag", "a")
	mw.WriteField("tag", "b")
	mw.WriteField("count", "1")
	mw.WriteField("count", "2")
	mw.WriteField("Skipped", "x")
	for _, f := range []struct{ field, name, body string }{
		{"avatar", "me.png", "PNG"}, {"docs", "a.txt", "A"}, {"docs", "b.txt", "BB"},
	} {
		w, err := mw.CreateFormFile(f.field, f.name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, f.body)
	}
	mw.Close()
	req := httptest.NewRequest("POST", "/", &mp)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var got kindsForm
	if err := Decode(httptest.NewRecorder(), req, &got); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if got.Name != "Ann" || !got.Admin || got.Score == nil || *got.Score != 2.5 ||
		strings.Join(got.Tags, ",") != "a,b" || len(got.Counts) != 2 || got.Counts[1] != 2 || got.Skipped != "" {
		t.Fatalf("fields: got %+v", got)
	}
	if got.Avatar == nil || got.Avatar.Filename != "me.png" || got.Avatar.Size != 3 {
		t.Fatalf("avatar: got %+v, want me.png of 3 bytes", got.Avatar)
	}
	if len(got.Docs) != 2 || got.Docs[0].Filename != "a.txt" || got.Docs[1].Filename != "b.txt" {
		t.Fatalf("docs: got %d files, want a.txt and b.txt", len(got.Docs))
	}

	// A text value under a file field's name is ignored; type errors are
	// listed in field order.
	rec := serveDecode(t, "application/x-www-form-urlencoded",
		strings.NewReader("count=x&avatar=not-a-file&score=high&admin=maybe"), &kindsForm{})
	want := `{"detail":[` +
		`{"loc":["admin"],"msg":"value is not a valid bool","type":"type_error.bool"},` +
		`{"loc":["score"],"msg":"value is not a valid float","type":"type_error.float"},` +
		`{"loc":["count"],"msg":"value is not a valid integer","type":"type_error.integer"}]}`
	if rec.Code != 422 || strings.TrimSpace(rec.Body.String()) != want {
		t.Fatalf("got %d %s, want 422 %s", rec.Code, rec.Body, want)
	}
}
