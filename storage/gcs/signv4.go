package gcs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// URLStyle selects how a signed URL addresses the bucket.
type URLStyle int

const (
	// PathStyle puts the bucket in the path: https://host/bucket/object.
	PathStyle URLStyle = iota
	// VirtualHostedStyle puts the bucket in the host: https://bucket.host/object.
	VirtualHostedStyle
	// BucketBoundHostname uses V4Options.Host as a hostname (a CNAME) that is
	// bound to the bucket: https://host/object.
	BucketBoundHostname
)

// V4Options holds the optional settings of SignV4. The zero value signs a
// path-style GET URL on https://storage.googleapis.com at the current time.
type V4Options struct {
	// Method is the HTTP method the URL is valid for. Default: GET.
	Method string
	// Scheme is "https" or "http". Default: "https".
	Scheme string
	// Host is the host, with optional port, of the URL. Default:
	// "storage.googleapis.com".
	Host string
	// Style is how the bucket is addressed. Default: PathStyle.
	Style URLStyle
	// Headers are request headers the holder of the URL must send exactly.
	// An "X-Goog-Content-SHA256" header signs the payload hash instead of
	// UNSIGNED-PAYLOAD. Default: none besides host.
	Headers map[string]string
	// QueryParameters are extra query parameters covered by the signature.
	// Default: none.
	QueryParameters url.Values
	// Time is the signing time. Default: time.Now().
	Time time.Time
}

// SignV4 returns a GOOG4-RSA-SHA256 signed URL for object in bucket, valid for
// expiry (at most seven days), signed by signer.
func SignV4(ctx context.Context, bucket, object string, expiry time.Duration, signer Signer, opts V4Options) (string, error) {
	if expiry < time.Second || expiry > 7*24*time.Hour {
		return "", fmt.Errorf("gcs: sign url: expiry %v not in [1s, 168h]", expiry)
	}
	req := newV4Request(bucket, object, expiry, signer.Email(), opts)
	sig, err := signer.SignBlob(ctx, []byte(req.stringToSign()))
	if err != nil {
		return "", fmt.Errorf("gcs: sign url: %w", err)
	}
	return req.url(hex.EncodeToString(sig)), nil
}

// v4Request is the canonical form of a request to be signed.
type v4Request struct {
	method, scheme, host, path string
	timestamp                  time.Time
	scope                      string
	query                      [][2]string // encoded key, encoded value; sorted
	headers                    [][2]string // lowercase name, canonical value; sorted
	payload                    string
}

func newV4Request(bucket, object string, expiry time.Duration, email string, opts V4Options) *v4Request {
	r := &v4Request{method: opts.Method, scheme: opts.Scheme, host: opts.Host, timestamp: opts.Time}
	if r.method == "" {
		r.method = "GET"
	}
	if r.scheme == "" {
		r.scheme = "https"
	}
	if r.host == "" {
		r.host = "storage.googleapis.com"
	}
	if r.timestamp.IsZero() {
		r.timestamp = time.Now()
	}
	r.timestamp = r.timestamp.UTC()
	r.path = "/" + bucket
	switch opts.Style {
	case VirtualHostedStyle:
		r.host = bucket + "." + r.host
		r.path = ""
	case BucketBoundHostname:
		r.path = ""
	}
	if object != "" {
		r.path += "/" + escapeV4(object, true)
	}
	r.scope = r.timestamp.Format("20060102") + "/auto/storage/goog4_request"
	r.payload = "UNSIGNED-PAYLOAD"
	r.headers = canonicalHeaders(opts.Headers, r.host)
	for _, h := range r.headers {
		if h[0] == "x-goog-content-sha256" {
			r.payload = h[1]
		}
	}
	r.query = r.canonicalQuery(email, expiry, opts.QueryParameters)
	return r
}

func (r *v4Request) signedHeaders() string {
	names := make([]string, len(r.headers))
	for i, h := range r.headers {
		names[i] = h[0]
	}
	return strings.Join(names, ";")
}

func (r *v4Request) canonicalQuery(email string, expiry time.Duration, extra url.Values) [][2]string {
	q := [][2]string{
		{"X-Goog-Algorithm", "GOOG4-RSA-SHA256"},
		{"X-Goog-Credential", email + "/" + r.scope},
		{"X-Goog-Date", r.timestamp.Format("20060102T150405Z")},
		{"X-Goog-Expires", strconv.FormatInt(int64(expiry/time.Second), 10)},
		{"X-Goog-SignedHeaders", r.signedHeaders()},
	}
	for k, vs := range extra {
		for _, v := range vs {
			q = append(q, [2]string{k, v})
		}
	}
	for i := range q {
		q[i] = [2]string{escapeV4(q[i][0], false), escapeV4(q[i][1], false)}
	}
	sort.Slice(q, func(i, j int) bool {
		if q[i][0] != q[j][0] {
			return q[i][0] < q[j][0]
		}
		return q[i][1] < q[j][1]
	})
	return q
}

func (r *v4Request) queryString() string {
	parts := make([]string, len(r.query))
	for i, kv := range r.query {
		parts[i] = kv[0] + "=" + kv[1]
	}
	return strings.Join(parts, "&")
}

func (r *v4Request) canonicalRequest() string {
	var b strings.Builder
	b.WriteString(r.method + "\n" + r.path + "\n" + r.queryString() + "\n")
	for _, h := range r.headers {
		b.WriteString(h[0] + ":" + h[1] + "\n")
	}
	b.WriteString("\n" + r.signedHeaders() + "\n" + r.payload)
	return b.String()
}

func (r *v4Request) stringToSign() string {
	sum := sha256.Sum256([]byte(r.canonicalRequest()))
	return "GOOG4-RSA-SHA256\n" + r.timestamp.Format("20060102T150405Z") + "\n" + r.scope + "\n" + hex.EncodeToString(sum[:])
}

func (r *v4Request) url(signature string) string {
	return r.scheme + "://" + r.host + r.path + "?" + r.queryString() + "&X-Goog-Signature=" + signature
}

// canonicalHeaders lowercases names, trims values and collapses runs of
// whitespace, adds host (without port) and sorts by name.
func canonicalHeaders(h map[string]string, host string) [][2]string {
	hostname := host
	if u, err := url.Parse("//" + host); err == nil && u.Hostname() != "" {
		hostname = u.Hostname()
	}
	out := [][2]string{{"host", hostname}}
	for k, v := range h {
		name := strings.ToLower(strings.TrimSpace(k))
		if name == "host" {
			continue
		}
		out = append(out, [2]string{name, strings.Join(strings.Fields(v), " ")})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// escapeV4 percent-encodes every byte except the RFC 3986 unreserved
// characters (and "/" when keepSlash is set), as V4 signing requires.
func escapeV4(s string, keepSlash bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~', keepSlash && c == '/':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
