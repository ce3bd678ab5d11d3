package b2

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// transport carries every request of one Bucket: blazer's client, the base
// API calls of the lister and the downloads this package makes itself. It
// shares one account authorization between them and lets each operation
// (see op) watch the answers it gets.
type transport struct {
	next          http.RoundTripper
	keyID, appKey string
	apiBase       string
	idle          time.Duration // see Options.IdleTimeout

	mu         sync.Mutex
	authHeader string // the Basic credentials the cached answer is for
	authBody   []byte // the last successful b2_authorize_account answer
	acct       account
}

// account is the part of an authorization this package uses itself.
type account struct {
	token       string
	downloadURL string
}

func newTransport(next http.RoundTripper, keyID, appKey, apiBase string, idle time.Duration) *transport {
	if next == nil {
		next = http.DefaultTransport
	}
	if apiBase == "" {
		apiBase = "https://api.backblazeb2.com"
	}
	return &transport{next: next, keyID: keyID, appKey: appKey, apiBase: strings.TrimSuffix(apiBase, "/"), idle: idle}
}

// RoundTrip answers b2_authorize_account from the shared authorization and
// sends everything else on, reporting each answer to the request's op.
func (t *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/b2_authorize_account") {
		return t.authorize(r)
	}
	resp, err := t.send(r)
	observe(r.Context(), resp, err)
	if resp != nil && resp.StatusCode == http.StatusUnauthorized {
		t.forget(r.Header.Get("Authorization"))
	}
	return resp, err
}

// authorize serves the cached authorization for the same credentials, or
// asks the service and caches a successful answer.
func (t *transport) authorize(r *http.Request) (*http.Response, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	creds := r.Header.Get("Authorization")
	if t.authBody != nil && creds == t.authHeader {
		return &http.Response{
			Status: "200 OK", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header:        http.Header{"Content-Type": {"application/json"}},
			Body:          io.NopCloser(bytes.NewReader(t.authBody)),
			ContentLength: int64(len(t.authBody)),
			Request:       r,
		}, nil
	}
	resp, err := t.send(r)
	observe(r.Context(), resp, err)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if acct, err := parseAuthorization(body); err == nil {
		t.authHeader, t.authBody, t.acct = creds, body, acct
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// forget drops the cached authorization when the service rejected its
// token, so that the next b2_authorize_account reaches the service.
func (t *transport) forget(token string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if token != "" && token == t.acct.token {
		t.authBody, t.acct = nil, account{}
	}
}

// account returns the shared authorization, authorizing if there is none.
func (t *transport) account(ctx context.Context) (account, error) {
	t.mu.Lock()
	acct := t.acct
	t.mu.Unlock()
	if acct.token != "" {
		return acct, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.apiBase+"/b2api/v3/b2_authorize_account", nil)
	if err != nil {
		return account{}, err
	}
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(t.keyID+":"+t.appKey)))
	resp, err := t.RoundTrip(req)
	if err != nil {
		return account{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return account{}, readAPIError(resp)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return account{}, err
	}
	return parseAuthorization(body)
}

// parseAuthorization reads a b2_authorize_account answer.
func parseAuthorization(body []byte) (account, error) {
	var a struct {
		Token   string `json:"authorizationToken"`
		APIInfo struct {
			StorageAPI struct {
				DownloadURL string `json:"downloadUrl"`
			} `json:"storageApi"`
		} `json:"apiInfo"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return account{}, fmt.Errorf("authorize: %w", err)
	}
	if a.Token == "" || a.APIInfo.StorageAPI.DownloadURL == "" {
		return account{}, fmt.Errorf("authorize: answer without a token or download URL")
	}
	return account{token: a.Token, downloadURL: strings.TrimSuffix(a.APIInfo.StorageAPI.DownloadURL, "/")}, nil
}
