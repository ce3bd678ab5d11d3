// Package apiclient holds the one HTTP exchange the mail provider clients
// share: POST a JSON body, read back a bounded response.
package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// DefaultTimeout bounds a whole exchange when the caller supplies no client.
const DefaultTimeout = 30 * time.Second

// Endpoint is a provider API root and the client that talks to it.
type Endpoint struct {
	baseURL string
	hc      *http.Client
}

// NewEndpoint returns an Endpoint for baseURL (defaultURL when empty; a
// trailing slash is dropped) using hc (a client with DefaultTimeout when nil).
func NewEndpoint(baseURL, defaultURL string, hc *http.Client) Endpoint {
	if baseURL == "" {
		baseURL = defaultURL
	}
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	return Endpoint{baseURL: strings.TrimRight(baseURL, "/"), hc: hc}
}

// PostJSON posts body to path below the endpoint's base URL; see PostJSON.
func (e Endpoint) PostJSON(ctx context.Context, path string, header http.Header, body any) (*Response, error) {
	return PostJSON(ctx, e.hc, e.baseURL+path, header, body)
}

// MaxResponseBytes bounds how much of a response body is read. Provider
// responses are a few hundred bytes; anything larger is cut short.
const MaxResponseBytes = 1 << 20

// Response is a completed HTTP exchange.
type Response struct {
	// Status is the HTTP status code.
	Status int
	// Header is the response header.
	Header http.Header
	// Body is the response body, at most MaxResponseBytes long.
	Body []byte
}

// OK reports whether the status is 2xx.
func (r *Response) OK() bool { return r.Status >= 200 && r.Status < 300 }

// PostJSON encodes body as JSON, POSTs it to url with the given headers and
// returns the response. A non-2xx status is not an error here: the caller
// decodes the provider's error body. Errors are transport failures and never
// contain header values (API keys stay out of logs).
func PostJSON(ctx context.Context, hc *http.Client, url string, header http.Header, body any) (*Response, error) {
	var payload bytes.Buffer
	enc := json.NewEncoder(&payload)
	enc.SetEscapeHTML(false) // bodies carry HTML; keep "<p>" readable and short
	if err := enc.Encode(body); err != nil {
		return nil, fmt.Errorf("encode request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(bytes.TrimSuffix(payload.Bytes(), []byte("\n"))))
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes))
	if err != nil {
		return nil, fmt.Errorf("read response: %w", err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}, nil
}

// Snippet returns the body as text for an error message when it is not the
// provider's JSON error shape, cut to 200 bytes.
func (r *Response) Snippet() string {
	const max = 200
	s := string(bytes.TrimSpace(r.Body))
	if len(s) > max {
		s = s[:max] + "..."
	}
	if s == "" {
		s = http.StatusText(r.Status)
	}
	return s
}

// ErrorBody decodes a provider's JSON error body of the shape
// {"<codeField>": "...", "message": "..."}. When the body has neither field it
// returns an empty code and the body's Snippet as the message.
func (r *Response) ErrorBody(codeField string) (code, message string) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(r.Body, &fields) == nil {
		json.Unmarshal(fields[codeField], &code)
		json.Unmarshal(fields["message"], &message)
	}
	if code == "" && message == "" {
		return "", r.Snippet()
	}
	return code, message
}
