package resend

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/groundwork-go/groundwork/mail/internal/apiclient"
)

// DefaultBaseURL is the Resend API endpoint used when Options.BaseURL is empty.
const DefaultBaseURL = "https://api.resend.com"

// Options holds the optional settings of a Client. The zero value talks to
// DefaultBaseURL with a client that times out after 30 seconds.
type Options struct {
	// BaseURL is the API root, without a trailing slash. Default: DefaultBaseURL.
	BaseURL string
	// HTTPClient sends the requests. Default: an http.Client with a 30 second
	// timeout.
	HTTPClient *http.Client
}

// Client sends email through the Resend API. It is safe for concurrent use.
type Client struct {
	apiKey string
	api    apiclient.Endpoint
}

// New returns a Client that authenticates with apiKey (sent as a Bearer
// token; never logged or included in errors).
func New(apiKey string, opts Options) *Client {
	return &Client{apiKey: apiKey, api: apiclient.NewEndpoint(opts.BaseURL, DefaultBaseURL, opts.HTTPClient)}
}

// SendOptions holds the optional settings of Client.Send.
type SendOptions struct {
	// IdempotencyKey is sent as the Idempotency-Key header: Resend processes
	// a key once in 24 hours and answers repeats with the first response.
	// At most 256 characters. Default: none.
	IdempotencyKey string
}

// SendResponse is Resend's answer to a successful send.
type SendResponse struct {
	// ID identifies the email at Resend.
	ID string `json:"id"`
}

// Send submits one email. A non-2xx answer is returned as *Error.
func (c *Client) Send(ctx context.Context, e *Email, opts SendOptions) (*SendResponse, error) {
	h := http.Header{"Authorization": {"Bearer " + c.apiKey}}
	if opts.IdempotencyKey != "" {
		h.Set("Idempotency-Key", opts.IdempotencyKey)
	}
	resp, err := c.api.PostJSON(ctx, "/emails", h, e)
	if err != nil {
		return nil, fmt.Errorf("resend: send: %w", err)
	}
	if !resp.OK() {
		return nil, newError(resp)
	}
	var out SendResponse
	if err := json.Unmarshal(resp.Body, &out); err != nil {
		return nil, fmt.Errorf("resend: send: decode response: %w", err)
	}
	return &out, nil
}
