package gcs

import (
	"context"
	"encoding/json"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// v4Vector is one entry of Google's V4 signing conformance file.
type v4Vector struct {
	Description              string            `json:"description"`
	Bucket                   string            `json:"bucket"`
	Object                   string            `json:"object"`
	Method                   string            `json:"method"`
	Expiration               int64             `json:"expiration"`
	Timestamp                time.Time         `json:"timestamp"`
	Scheme                   string            `json:"scheme"`
	Headers                  map[string]string `json:"headers"`
	QueryParameters          map[string]string `json:"queryParameters"`
	URLStyle                 string            `json:"urlStyle"`
	BucketBoundHostname      string            `json:"bucketBoundHostname"`
	Hostname                 string            `json:"hostname"`
	ClientEndpoint           string            `json:"clientEndpoint"`
	EmulatorHostname         string            `json:"emulatorHostname"`
	UniverseDomain           string            `json:"universeDomain"`
	ExpectedURL              string            `json:"expectedUrl"`
	ExpectedCanonicalRequest string            `json:"expectedCanonicalRequest"`
	ExpectedStringToSign     string            `json:"expectedStringToSign"`
}

// conformanceDir finds cloud.google.com/go/storage's conformance data in the
// module cache. The data is read in place and never copied into this
// repository.
func conformanceDir(t *testing.T) string {
	t.Helper()
	cache := os.Getenv("GOMODCACHE")
	if cache == "" {
		out, err := exec.Command("go", "env", "GOMODCACHE").Output()
		if err != nil {
			t.Skipf("V4 conformance vectors unavailable: go env GOMODCACHE: %v", err)
		}
		cache = strings.TrimSpace(string(out))
	}
	dirs, _ := filepath.Glob(filepath.Join(cache, "cloud.google.com", "go", "storage@*", "internal", "test", "conformance"))
	slices.Sort(dirs)
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "v4_signatures.json")); err == nil {
			return dirs[i]
		}
	}
	t.Skipf("V4 conformance vectors unavailable: no cloud.google.com/go/storage@*/internal/test/conformance/v4_signatures.json under %s", cache)
	return ""
}

func loadVectors(t *testing.T) ([]v4Vector, *KeySigner) {
	t.Helper()
	dir := conformanceDir(t)
	raw, err := os.ReadFile(filepath.Join(dir, "v4_signatures.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		SigningV4Tests []v4Vector `json:"signingV4Tests"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatalf("parsing v4_signatures.json: %v", err)
	}
	key, err := os.ReadFile(filepath.Join(dir, "service-account"))
	if err != nil {
		t.Skipf("V4 conformance key unavailable: %v", err)
	}
	signer, err := KeySignerFromJSON(key)
	if err != nil {
		t.Fatalf("KeySignerFromJSON(conformance service account): got error %v, want nil", err)
	}
	return file.SigningV4Tests, signer
}

// optionsFor translates a vector's client configuration into V4Options: an
// explicit hostname wins over a client endpoint, which wins over an emulator
// host, which wins over a universe domain.
func optionsFor(v v4Vector) V4Options {
	opts := V4Options{Method: v.Method, Scheme: v.Scheme, Headers: v.Headers, Time: v.Timestamp}
	switch {
	case v.Hostname != "":
		opts.Host = v.Hostname
	case v.ClientEndpoint != "":
		opts.Host = stripScheme(v.ClientEndpoint)
	case v.EmulatorHostname != "":
		opts.Host = stripScheme(v.EmulatorHostname)
	case v.UniverseDomain != "":
		opts.Host = "storage." + v.UniverseDomain
	}
	switch v.URLStyle {
	case "VIRTUAL_HOSTED_STYLE":
		opts.Style = VirtualHostedStyle
	case "BUCKET_BOUND_HOSTNAME":
		opts.Style = BucketBoundHostname
		opts.Host = v.BucketBoundHostname
	}
	if len(v.QueryParameters) > 0 {
		opts.QueryParameters = url.Values{}
		for k, val := range v.QueryParameters {
			opts.QueryParameters.Add(k, val)
		}
	}
	return opts
}

func stripScheme(s string) string {
	if i := strings.Index(s, "://"); i >= 0 {
		return s[i+3:]
	}
	return s
}

// inconsistentVectors lists vectors whose expected values contradict
// themselves, so no signer can match them.
var inconsistentVectors = map[string]string{
	// The expected URL is virtual-hosted (path "/test-object") but the
	// expected canonical request signs the path-style path
	// "/test-bucket/test-object"; GCS would reject that signature.
	"Universe domain with virtual hosted style": "expected URL path and signed canonical path disagree",
}

func TestSignV4Conformance(t *testing.T) {
	vectors, signer := loadVectors(t)
	if len(vectors) == 0 {
		t.Fatal("v4_signatures.json: got 0 signing vectors, want some")
	}
	for _, v := range vectors {
		t.Run(v.Description, func(t *testing.T) {
			if why, ok := inconsistentVectors[v.Description]; ok {
				t.Skipf("vector is internally inconsistent: %s", why)
			}
			expiry := time.Duration(v.Expiration) * time.Second
			opts := optionsFor(v)
			req := newV4Request(v.Bucket, v.Object, expiry, signer.Email(), opts)
			if got := req.canonicalRequest(); got != v.ExpectedCanonicalRequest {
				t.Errorf("canonical request:\ngot  %q\nwant %q", got, v.ExpectedCanonicalRequest)
			}
			if got := req.stringToSign(); got != v.ExpectedStringToSign {
				t.Errorf("string to sign:\ngot  %q\nwant %q", got, v.ExpectedStringToSign)
			}
			gotURL, err := SignV4(context.Background(), v.Bucket, v.Object, expiry, signer, opts)
			if err != nil {
				t.Fatalf("SignV4: got error %v, want nil", err)
			}
			compareURLs(t, gotURL, v.ExpectedURL)
		})
	}
}

func compareURLs(t *testing.T, gotURL, wantURL string) {
	t.Helper()
	got, err := url.Parse(gotURL)
	if err != nil {
		t.Fatalf("SignV4 returned unparsable URL %q: %v", gotURL, err)
	}
	want, err := url.Parse(wantURL)
	if err != nil {
		t.Fatal(err)
	}
	if got.Scheme != want.Scheme || got.Host != want.Host || got.EscapedPath() != want.EscapedPath() {
		t.Errorf("URL: got %s://%s%s, want %s://%s%s", got.Scheme, got.Host, got.EscapedPath(), want.Scheme, want.Host, want.EscapedPath())
	}
	gq, wq := got.Query(), want.Query()
	if !maps.EqualFunc(gq, wq, slices.Equal) {
		t.Errorf("URL query:\ngot  %v\nwant %v", gq, wq)
	}
}
