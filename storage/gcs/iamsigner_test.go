package gcs_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"google.golang.org/api/option"

	"github.com/groundwork-go/groundwork/storage"
	"github.com/groundwork-go/groundwork/storage/gcs"
)

// fakeIAM implements the IAM Credentials signBlob method with a local key.
func fakeIAM(t *testing.T, key *rsa.PrivateKey, email string, status int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		want := "/v1/projects/-/serviceAccounts/" + email + ":signBlob"
		if r.Method != http.MethodPost || r.URL.Path != want {
			http.Error(w, `{"error":{"code":404,"message":"got `+r.Method+" "+r.URL.Path+`"}}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if status != http.StatusOK {
			w.WriteHeader(status)
			w.Write([]byte(`{"error":{"code":403,"message":"Permission iam.serviceAccounts.signBlob denied"}}`))
			return
		}
		var req struct{ Payload string }
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		payload, _ := base64.StdEncoding.DecodeString(req.Payload)
		sum := sha256.Sum256(payload)
		sig, _ := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
		json.NewEncoder(w).Encode(map[string]string{"keyId": "k1", "signedBlob": base64.StdEncoding.EncodeToString(sig)})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestIAMSigner(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	const email = "runner@project.iam.gserviceaccount.com"
	ctx := context.Background()
	srv := fakeIAM(t, key, email, http.StatusOK)
	signer, err := gcs.NewIAMSigner(ctx, email, option.WithHTTPClient(srv.Client()), option.WithEndpoint(srv.URL+"/"))
	if err != nil {
		t.Fatalf("NewIAMSigner: got error %v, want nil", err)
	}
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	signed, err := gcs.SignV4(ctx, "bkt", "a b/c.txt", time.Hour, signer, gcs.V4Options{Time: at})
	if err != nil {
		t.Fatalf("SignV4: got error %v, want nil", err)
	}
	u, err := url.Parse(signed)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if got, want := q.Get("X-Goog-Credential"), email+"/20260304/auto/storage/goog4_request"; got != want {
		t.Errorf("X-Goog-Credential: got %q, want %q", got, want)
	}
	if got, want := u.EscapedPath(), "/bkt/a%20b/c.txt"; got != want {
		t.Errorf("path: got %q, want %q", got, want)
	}
	verifySignedURL(t, &key.PublicKey, signed)
}

// verifySignedURL rebuilds the string to sign from a signed GET URL, as GCS
// does, and checks the signature against pub.
func verifySignedURL(t *testing.T, pub *rsa.PublicKey, signed string) {
	t.Helper()
	u, err := url.Parse(signed)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	sig, err := hex.DecodeString(q.Get("X-Goog-Signature"))
	if err != nil {
		t.Fatalf("X-Goog-Signature: got %q, want hex", q.Get("X-Goog-Signature"))
	}
	rawQuery := strings.Split(u.RawQuery, "&X-Goog-Signature=")[0]
	canonical := "GET\n" + u.EscapedPath() + "\n" + rawQuery + "\nhost:" + u.Hostname() + "\n\nhost\nUNSIGNED-PAYLOAD"
	sum := sha256.Sum256([]byte(canonical))
	credential := strings.SplitN(q.Get("X-Goog-Credential"), "/", 2)
	sts := "GOOG4-RSA-SHA256\n" + q.Get("X-Goog-Date") + "\n" + credential[1] + "\n" + hex.EncodeToString(sum[:])
	digest := sha256.Sum256([]byte(sts))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		t.Errorf("signature: got verification error %v, want a valid signature", err)
	}
}

func TestBucketSignsThroughIAM(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	const email = "runner@project.iam.gserviceaccount.com"
	iam := fakeIAM(t, key, email, http.StatusOK)
	b, err := gcs.New(context.Background(), "bkt", gcs.Options{
		HTTPClient:   iam.Client(),
		SigningEmail: email,
		IAMEndpoint:  iam.URL + "/",
	})
	if err != nil {
		t.Fatalf("gcs.New: got error %v, want nil", err)
	}
	signed, err := b.SignedURL(context.Background(), "reports/q1.pdf", time.Hour)
	if err != nil {
		t.Fatalf("SignedURL: got error %v, want nil", err)
	}
	if !strings.HasPrefix(signed, "https://storage.googleapis.com/bkt/reports/q1.pdf?") {
		t.Errorf("SignedURL: got %s, want a path-style URL on storage.googleapis.com", signed)
	}
	verifySignedURL(t, &key.PublicKey, signed)
}

func TestIAMSignerDenied(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	const email = "runner@project.iam.gserviceaccount.com"
	srv := fakeIAM(t, key, email, http.StatusForbidden)
	signer, err := gcs.NewIAMSigner(context.Background(), email, option.WithHTTPClient(srv.Client()), option.WithEndpoint(srv.URL+"/"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = gcs.SignV4(context.Background(), "bkt", "k", time.Minute, signer, gcs.V4Options{})
	if !errors.Is(err, storage.ErrPermission) {
		t.Errorf("SignV4 with denied signBlob: got %v, want ErrPermission", err)
	}
}
