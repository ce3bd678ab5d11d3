package brevo

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"

	"github.com/groundwork-go/groundwork/mail/internal/apiclient"
)

// DefaultBaseURL is the Brevo API endpoint used when Options.BaseURL is empty.
const DefaultBaseURL = "https://api.brevo.com"

// Options holds the optional settings of a Client. The zero value talks to
// DefaultBaseURL with a client that times out after 30 seconds.
type Options struct {
	// BaseURL is the API root, without "/v3" or a trailing slash.
	// Default: DefaultBaseURL.
	BaseURL string
	// HTTPClient sends the requests. Default: an http.Client with a 30 second
	// timeout.
	HTTPClient *http.Client
}

// Client sends email through the Brevo API. It is safe for concurrent use.
type Client struct {
	apiKey string
	api    apiclient.Endpoint
}

// New returns a Client that authenticates with apiKey (sent in the api-key
// header; never logged or included in errors).
func New(apiKey string, opts Options) *Client {
	return &Client{apiKey: apiKey, api: apiclient.NewEndpoint(opts.BaseURL, DefaultBaseURL, opts.HTTPClient)}
}

// SendOptions holds the optional settings of Client.Send.
type SendOptions struct {
	// IdempotencyKey is sent as the "idempotencyKey" entry of the body's
	// headers object, where Brevo looks for it; Brevo expects a UUID and
	// processes a key once within its time-to-live. Default: none.
	IdempotencyKey string
}

// SendResponse is Brevo's answer to a successful send.
type SendResponse struct {
	// MessageID identifies the email at Brevo, e.g. "<2019...@smtp-relay.mailin.fr>".
	MessageID string `json:"messageId"`
}

// Send submits one email. A non-2xx answer is returned as *Error. e is not
// modified.
func (c *Client) Send(ctx context.Context, e *Email, opts SendOptions) (*SendResponse, error) {
	body := e
	if opts.IdempotencyKey != "" {
		cp := *e
		cp.Headers = maps.Clone(e.Headers)
		if cp.Headers == nil {
			cp.Headers = map[string]string{}
		}
		cp.Headers["idempotencyKey"] = opts.IdempotencyKey
		body = &cp
	}
	h := http.Header{"Api-Key": {c.apiKey}}
	resp, err := c.api.PostJSON(ctx, "/v3/smtp/email", h, body)
	if err != nil {
		return nil, fmt.Errorf("brevo: send: %w", err)
	}
	if !resp.OK() {
		return nil, newError(resp)
	}
	var out struct {
		MessageID  string   `json:"messageId"`
		MessageIDs []string `json:"messageIds"`
	}
	if err := json.Unmarshal(resp.Body, &out); err != nil {
		return nil, fmt.Errorf("brevo: send: decode response: %w", err)
	}
	if out.MessageID == "" && len(out.MessageIDs) > 0 {
		out.MessageID = out.MessageIDs[0]
	}
	return &SendResponse{MessageID: out.MessageID}, nil
}
