package firestore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	fsapi "google.golang.org/api/firestore/v1"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	htransport "google.golang.org/api/transport/http"
)

// DefaultEndpoint is the Firestore REST endpoint used when Options.Endpoint is
// empty.
const DefaultEndpoint = "https://firestore.googleapis.com/"

// Options configures a Client. The zero value uses application default
// credentials against the public endpoint and the (default) database.
type Options struct {
	// CredentialsJSON is a service-account key file. Default: none,
	// application default credentials are used.
	CredentialsJSON []byte
	// HTTPClient replaces the authenticated client, for tests against a fake.
	// Default: none.
	HTTPClient *http.Client
	// Endpoint is the REST base URL. Default: DefaultEndpoint.
	Endpoint string
	// DatabaseID selects the database. Default: "(default)".
	DatabaseID string
	// MaxAttempts bounds how often a read is tried when the service answers
	// 429, 500, 503 or 504, and how often RunTransaction runs a transaction
	// that the service aborted because of contention. Default: 5.
	MaxAttempts int
}

// Client talks to one Firestore database.
type Client struct {
	svc      *fsapi.Service
	hc       *http.Client
	endpoint string
	database string // projects/{p}/databases/{d}
	attempts int
	backoff  time.Duration
}

// New returns a Client for the project's database.
func New(ctx context.Context, projectID string, opts Options) (*Client, error) {
	endpoint := opts.Endpoint
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	if !strings.HasSuffix(endpoint, "/") {
		endpoint += "/"
	}
	hc := opts.HTTPClient
	if hc == nil {
		copts := []option.ClientOption{option.WithScopes(fsapi.DatastoreScope), option.WithEndpoint(endpoint)}
		if len(opts.CredentialsJSON) > 0 {
			copts = append(copts, option.WithAuthCredentialsJSON(option.ServiceAccount, opts.CredentialsJSON))
		}
		var err error
		if hc, _, err = htransport.NewClient(ctx, copts...); err != nil {
			return nil, fmt.Errorf("firestore: new HTTP client: %w", err)
		}
	}
	svc, err := fsapi.NewService(ctx, option.WithHTTPClient(hc), option.WithEndpoint(endpoint))
	if err != nil {
		return nil, fmt.Errorf("firestore: new client: %w", err)
	}
	db := opts.DatabaseID
	if db == "" {
		db = "(default)"
	}
	c := &Client{
		svc:      svc,
		hc:       hc,
		endpoint: endpoint,
		database: "projects/" + projectID + "/databases/" + db,
		attempts: opts.MaxAttempts,
		backoff:  100 * time.Millisecond,
	}
	if c.attempts <= 0 {
		c.attempts = 5
	}
	return c, nil
}

// documentsRoot is the parent of top-level collections.
func (c *Client) documentsRoot() string { return c.database + "/documents" }

// Ref returns the reference of the document id in the collection at path
// (for example "users" or "users/ada/posts").
func (c *Client) Ref(collectionPath, id string) Reference {
	return Reference(c.documentsRoot() + "/" + strings.Trim(collectionPath, "/") + "/" + id)
}

// rawCall sends a JSON request for the resource name (optionally followed by
// ":verb") with the authenticated client and decodes the JSON answer into out.
// The generated client is bypassed where its decoding is wrong.
func (c *Client) rawCall(ctx context.Context, method, name, verb string, query url.Values, in, out any) error {
	res, err := c.rawOpen(ctx, method, name, verb, query, in)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	return json.NewDecoder(res.Body).Decode(out)
}

// rawOpen sends the request rawCall describes and returns the successful
// answer, whose body the caller must close.
func (c *Client) rawOpen(ctx context.Context, method, name, verb string, query url.Values, in any) (*http.Response, error) {
	u := c.endpoint + "v1/" + escapeName(name)
	if verb != "" {
		u += ":" + verb
	}
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	if err := googleapi.CheckResponse(res); err != nil {
		res.Body.Close()
		return nil, err
	}
	return res, nil
}

// escapeName percent-encodes a resource name for a URL path the way Google's
// HTTP/JSON transcoding expects a multi-segment path variable: every byte
// except unreserved characters and the "/" between segments is escaped. The
// service decodes each escape, so a document ID may hold "?", "#", "%", ":"
// or any other character Firestore allows and still name that document.
func escapeName(name string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(name))
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~', c == '/':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}
