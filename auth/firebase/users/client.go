package users

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"time"

	identitytoolkit "google.golang.org/api/identitytoolkit/v1"
	"google.golang.org/api/option"

	"github.com/groundwork-go/groundwork/auth/firebase"
)

// Config holds the optional settings of a Client. With the zero value the
// Client authenticates with Google Application Default Credentials.
type Config struct {
	// Endpoint is the base URL of the Identity Toolkit API.
	// Default "https://identitytoolkit.googleapis.com/".
	Endpoint string
	// CredentialsJSON is a service account key. Default: Application Default
	// Credentials, unless HTTPClient is set.
	CredentialsJSON []byte
	// HTTPClient carries the requests as they are, without adding
	// credentials: for tests against a fake, the Auth emulator or an
	// authenticating proxy. Default: a client built from the credentials.
	HTTPClient *http.Client
	// Now returns the current time, used by RevokeRefreshTokens.
	// Default time.Now.
	Now func() time.Time

	// MaxRetries is how many times an idempotent call (every call but
	// CreateUser and EmailActionLink) is retried after it failed with
	// ErrUnavailable: a 429, a 5xx or a transport error. Default
	// DefaultMaxRetries; negative disables retries.
	MaxRetries int
	// RetryBackoff is the first wait between retries when the service sends
	// no Retry-After; it doubles with each retry, capped at MaxRetryDelay.
	// Default DefaultRetryBackoff.
	RetryBackoff time.Duration
	// MaxRetryDelay caps one wait; a Retry-After beyond it ends the call with
	// the error instead of waiting. Default DefaultMaxRetryDelay.
	MaxRetryDelay time.Duration
	// RetryBudget bounds the total time of a call's attempts and waits: no
	// retry starts whose wait would end after it. Default DefaultRetryBudget.
	RetryBudget time.Duration
	// AttemptTimeout bounds one HTTP attempt. Default DefaultAttemptTimeout.
	AttemptTimeout time.Duration
}

// Client manages the users of one Firebase project. It is safe for concurrent use.
type Client struct {
	projectID string
	accounts  *identitytoolkit.ProjectsAccountsService
	projects  *identitytoolkit.ProjectsService
	now       func() time.Time
	retry     retryPolicy
}

var _ firebase.RevocationChecker = (*Client)(nil)

// DefaultPageSize is the page size ListUsers uses when given 0.
const DefaultPageSize = 1000

// New returns a Client for the Firebase project projectID.
func New(ctx context.Context, projectID string, cfg Config) (*Client, error) {
	if projectID == "" {
		return nil, errors.New("firebase users: New: project id is required")
	}
	var opts []option.ClientOption
	if cfg.Endpoint != "" {
		opts = append(opts, option.WithEndpoint(cfg.Endpoint))
	}
	if cfg.CredentialsJSON != nil {
		opts = append(opts, option.WithAuthCredentialsJSON(option.ServiceAccount, cfg.CredentialsJSON))
	}
	if cfg.HTTPClient != nil {
		opts = append(opts, option.WithHTTPClient(cfg.HTTPClient))
	}
	svc, err := identitytoolkit.NewService(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("firebase users: New: %w", err)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Client{projectID: projectID, accounts: svc.Projects.Accounts_, projects: svc.Projects, now: now,
		retry: newRetryPolicy(cfg)}, nil
}

// CreateUser creates a user and returns the stored record.
func (c *Client) CreateUser(ctx context.Context, u UserToCreate) (*User, error) {
	req := &identitytoolkit.GoogleCloudIdentitytoolkitV1SignUpRequest{
		LocalId:       u.UID,
		Email:         u.Email,
		EmailVerified: u.EmailVerified,
		Password:      u.Password,
		PhoneNumber:   u.PhoneNumber,
		DisplayName:   u.DisplayName,
		PhotoUrl:      u.PhotoURL,
		Disabled:      u.Disabled,
	}
	// Not retried: a retry after a lost answer would create a second user
	// (no uid given) or fail with ErrUIDExists.
	var resp *identitytoolkit.GoogleCloudIdentitytoolkitV1SignUpResponse
	err := c.call(ctx, "create user", false, func(ctx context.Context, _ int) (err error) {
		resp, err = c.projects.Accounts(c.projectID, req).Context(ctx).Do()
		return err
	})
	if err != nil {
		return nil, err
	}
	return c.GetUser(ctx, resp.LocalId)
}

// GetUser returns the user with the given uid.
func (c *Client) GetUser(ctx context.Context, uid string) (*User, error) {
	return c.lookup(ctx, "get user", &identitytoolkit.GoogleCloudIdentitytoolkitV1GetAccountInfoRequest{LocalId: []string{uid}})
}

// GetUserByEmail returns the user with the given email address.
func (c *Client) GetUserByEmail(ctx context.Context, email string) (*User, error) {
	return c.lookup(ctx, "get user by email", &identitytoolkit.GoogleCloudIdentitytoolkitV1GetAccountInfoRequest{Email: []string{email}})
}

// GetUserByPhoneNumber returns the user with the given E.164 phone number.
func (c *Client) GetUserByPhoneNumber(ctx context.Context, phone string) (*User, error) {
	return c.lookup(ctx, "get user by phone number", &identitytoolkit.GoogleCloudIdentitytoolkitV1GetAccountInfoRequest{PhoneNumber: []string{phone}})
}

// lookup runs accounts:lookup and expects exactly one user.
func (c *Client) lookup(ctx context.Context, op string, req *identitytoolkit.GoogleCloudIdentitytoolkitV1GetAccountInfoRequest) (*User, error) {
	var resp *identitytoolkit.GoogleCloudIdentitytoolkitV1GetAccountInfoResponse
	err := c.call(ctx, op, true, func(ctx context.Context, _ int) (err error) {
		resp, err = c.accounts.Lookup(c.projectID, req).Context(ctx).Do()
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(resp.Users) == 0 {
		return nil, fmt.Errorf("firebase users: %s: %w", op, ErrUserNotFound)
	}
	u, err := fromAPI(resp.Users[0])
	if err != nil {
		return nil, fmt.Errorf("firebase users: %s: decoding custom claims: %w", op, err)
	}
	return u, nil
}

// UpdateUser applies the non-nil fields of u and returns the updated record.
func (c *Client) UpdateUser(ctx context.Context, uid string, u UserToUpdate) (*User, error) {
	req, err := updateRequest(uid, u)
	if err != nil {
		return nil, fmt.Errorf("firebase users: update user: %w", err)
	}
	if err := c.update(ctx, "update user", req); err != nil {
		return nil, err
	}
	return c.GetUser(ctx, uid)
}

// SetCustomClaims replaces the user's custom claims; nil or empty removes them.
func (c *Client) SetCustomClaims(ctx context.Context, uid string, claims map[string]any) error {
	if claims == nil {
		claims = map[string]any{}
	}
	req, err := updateRequest(uid, UserToUpdate{CustomClaims: claims})
	if err != nil {
		return fmt.Errorf("firebase users: set custom claims: %w", err)
	}
	return c.update(ctx, "set custom claims", req)
}

// RevokeRefreshTokens revokes the user's refresh tokens by setting validSince
// to now: existing sessions cannot get new ID tokens, and a Verifier with a
// RevocationChecker rejects ID tokens from earlier sign-ins.
func (c *Client) RevokeRefreshTokens(ctx context.Context, uid string) error {
	req := &identitytoolkit.GoogleCloudIdentitytoolkitV1SetAccountInfoRequest{
		LocalId:    uid,
		ValidSince: c.now().Unix(),
	}
	return c.update(ctx, "revoke refresh tokens", req)
}

// TokensValidAfter returns the user's validSince time.
func (c *Client) TokensValidAfter(ctx context.Context, uid string) (time.Time, error) {
	u, err := c.GetUser(ctx, uid)
	if err != nil {
		return time.Time{}, err
	}
	return u.TokensValidAfter, nil
}

// UserState returns the user's validSince time and whether the account is
// disabled, with one look-up. It implements firebase.RevocationChecker, so a
// Verifier configured with the Client rejects tokens of revoked sessions and
// of disabled users.
func (c *Client) UserState(ctx context.Context, uid string) (firebase.UserState, error) {
	u, err := c.GetUser(ctx, uid)
	if err != nil {
		return firebase.UserState{}, err
	}
	return firebase.UserState{TokensValidAfter: u.TokensValidAfter, Disabled: u.Disabled}, nil
}

// update runs accounts:update. It is retried: the request sets absolute
// values (validSince included), so repeating it gives the same result.
func (c *Client) update(ctx context.Context, op string, req *identitytoolkit.GoogleCloudIdentitytoolkitV1SetAccountInfoRequest) error {
	if req.LocalId == "" {
		return fmt.Errorf("firebase users: %s: %w: empty uid", op, ErrInvalidInput)
	}
	return c.call(ctx, op, true, func(ctx context.Context, _ int) error {
		_, err := c.accounts.Update(c.projectID, req).Context(ctx).Do()
		return err
	})
}

// DeleteUser deletes the user with the given uid. It is retried like the
// other idempotent calls; when a retry finds the user gone, an earlier
// attempt whose answer was lost deleted it, and DeleteUser succeeds.
func (c *Client) DeleteUser(ctx context.Context, uid string) error {
	if uid == "" {
		return fmt.Errorf("firebase users: delete user: %w: empty uid", ErrInvalidInput)
	}
	req := &identitytoolkit.GoogleCloudIdentitytoolkitV1DeleteAccountRequest{LocalId: uid}
	return c.call(ctx, "delete user", true, func(ctx context.Context, n int) error {
		_, err := c.accounts.Delete(c.projectID, req).Context(ctx).Do()
		if n > 0 && apiCode(err) == "USER_NOT_FOUND" {
			return nil
		}
		return err
	})
}

// Page is one page of ListUsers.
type Page struct {
	// Users are the users of this page.
	Users []*User
	// NextPageToken fetches the next page; empty on the last page.
	NextPageToken string
}

// ListUsers returns up to pageSize users (DefaultPageSize when 0, at most
// 1000) starting at pageToken ("" for the first page).
func (c *Client) ListUsers(ctx context.Context, pageToken string, pageSize int) (*Page, error) {
	if pageSize == 0 {
		pageSize = DefaultPageSize
	}
	if pageSize < 0 || pageSize > 1000 {
		return nil, fmt.Errorf("firebase users: list users: %w: page size %d not in 1..1000", ErrInvalidInput, pageSize)
	}
	var resp *identitytoolkit.GoogleCloudIdentitytoolkitV1DownloadAccountResponse
	err := c.call(ctx, "list users", true, func(ctx context.Context, _ int) (err error) {
		call := c.accounts.BatchGet(c.projectID).MaxResults(int64(pageSize)).Context(ctx)
		if pageToken != "" {
			call = call.NextPageToken(pageToken)
		}
		resp, err = call.Do()
		return err
	})
	if err != nil {
		return nil, err
	}
	page := &Page{NextPageToken: resp.NextPageToken}
	for _, u := range resp.Users {
		user, err := fromAPI(u)
		if err != nil {
			return nil, fmt.Errorf("firebase users: list users: decoding custom claims of %s: %w", u.LocalId, err)
		}
		page.Users = append(page.Users, user)
	}
	return page, nil
}

// AllUsers iterates over every user, fetching pages of pageSize (DefaultPageSize
// when 0) as needed. Iteration stops after yielding an error.
func (c *Client) AllUsers(ctx context.Context, pageSize int) iter.Seq2[*User, error] {
	return func(yield func(*User, error) bool) {
		token := ""
		for {
			page, err := c.ListUsers(ctx, token, pageSize)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, u := range page.Users {
				if !yield(u, nil) {
					return
				}
			}
			if page.NextPageToken == "" {
				return
			}
			token = page.NextPageToken
		}
	}
}
