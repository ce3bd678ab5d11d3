package memory

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/groundwork-go/groundwork/storage"
)

// SignedURL returns BaseURL + "/" + key with an expiry and an HMAC-SHA256
// signature that ServeHTTP verifies. It fails with storage.ErrNotSupported when
// Options.BaseURL was not set.
func (b *Bucket) SignedURL(ctx context.Context, key string, expiry time.Duration) (string, error) {
	if err := storage.ValidateKey(key); err != nil {
		return "", fmt.Errorf("memory: signed url %q: %w", key, err)
	}
	if err := storage.ValidateExpiry(expiry); err != nil {
		return "", fmt.Errorf("memory: signed url %q: %w", key, err)
	}
	if b.baseURL == "" {
		return "", fmt.Errorf("memory: signed url %q: %w: no BaseURL configured", key, storage.ErrNotSupported)
	}
	expires := strconv.FormatInt(b.now().Add(expiry).Unix(), 10)
	q := url.Values{"expires": {expires}, "signature": {b.sign(key, expires)}}
	return b.baseURL + "/" + escapeKeyPath(key) + "?" + q.Encode(), nil
}

// ServeHTTP serves the objects named by signed URLs: GET or HEAD of "/" + key
// with the expires and signature parameters SignedURL added. Mount it at the
// path of Options.BaseURL with http.StripPrefix. Ranges and conditional
// requests are honoured. A bad or expired signature gets 403, a missing object
// 404.
func (b *Bucket) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	key := strings.TrimPrefix(r.URL.Path, "/")
	expires := r.URL.Query().Get("expires")
	sig := r.URL.Query().Get("signature")
	if !b.validSignature(key, expires, sig) {
		http.Error(w, "invalid or expired signature", http.StatusForbidden)
		return
	}
	obj, err := b.lookup("serve", key)
	if err != nil {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", obj.attrs.ContentType)
	w.Header().Set("ETag", `"`+obj.attrs.ETag+`"`)
	http.ServeContent(w, r, "", obj.attrs.Updated, bytes.NewReader(obj.data))
}

func (b *Bucket) validSignature(key, expires, sig string) bool {
	unix, err := strconv.ParseInt(expires, 10, 64)
	if err != nil || !b.now().Before(time.Unix(unix, 0)) {
		return false
	}
	return hmac.Equal([]byte(sig), []byte(b.sign(key, expires)))
}

func (b *Bucket) sign(key, expires string) string {
	m := hmac.New(sha256.New, b.secret)
	m.Write([]byte(key))
	m.Write([]byte{0})
	m.Write([]byte(expires))
	return hex.EncodeToString(m.Sum(nil))
}

// escapeKeyPath percent-encodes each "/"-separated segment of key.
func escapeKeyPath(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}
