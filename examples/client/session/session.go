// Package session is the token flow of the example API's typed client
// (package api): a Client logs in or signs up, sends the access token with
// every request, refreshes the token pair once when the server answers 401,
// and logs out.
//
//	c, err := session.New("http://localhost:8799", session.Options{})
//	if err != nil { ... }
//	if _, err := c.Login(ctx, "johndoe", "secretpassword"); err != nil { ... }
//	me, err := c.API().GetMeWithResponse(ctx)
package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/groundwork-go/groundwork/examples/client/api"
)

// ErrSessionEnded reports that the server refused the session's refresh
// token: the session was logged out, ended from another device, ended by a
// password change, expired, or ended because a spent refresh token was
// presented. Log in again.
var ErrSessionEnded = errors.New("session: the session has ended; log in again")

// ErrNoSession reports an operation that needs a token pair on a Client
// that has none (never logged in, or logged out).
var ErrNoSession = errors.New("session: not logged in")

// StatusError is an answer of the server other than the operation's
// success, with the error envelope's fields when the body carried one.
type StatusError struct {
	// Op is the operation, such as "login".
	Op string
	// Status is the HTTP status code.
	Status int
	// Code is the envelope's error_code, or "" (a 422 carries none).
	Code string
	// Detail is the envelope's detail, or the 422 field list as text.
	Detail string
}

// Error describes the answer, for example
// "login: 401 UNAUTHORIZED: Incorrect username or password".
func (e *StatusError) Error() string {
	s := fmt.Sprintf("%s: %d", e.Op, e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Options configure a Client. The zero value works.
type Options struct {
	// HTTPClient sends the requests. Default: an http.Client with a
	// 30-second timeout.
	HTTPClient api.HttpRequestDoer
	// RefreshTimeout bounds one refresh request. A refresh runs to its end
	// even when the request that started it is cancelled, since the server
	// may already have spent the old refresh token. Default: 15 seconds.
	RefreshTimeout time.Duration
	// OnTokens, when set, is called with every new token pair (login,
	// signup, refresh, password change through ChangePassword) and with a
	// zero pair when the session ends, so a program can keep the pair it
	// would resume from. Calls come one at a time, in the order the pairs
	// arrive; OnTokens may call Tokens but no other method of the Client.
	// Default: none.
	OnTokens func(api.TokenPair)
}

// Client is one user's session with the API. It logs in (or signs up),
// sends the access token with every request of API, refreshes the token
// pair once when the server answers such a request 401 and repeats the
// request with the new access token, and logs out.
//
// Refresh tokens are single-use and the server ends the whole session when
// a spent one is presented, so a Client sends at most one refresh at a
// time: requests that meet a 401 while a refresh is in flight wait for its
// result, and a request whose token was already replaced is repeated with
// the new one without a refresh of its own. Share one Client among the
// goroutines of a user rather than copying its tokens.
type Client struct {
	plain   *api.ClientWithResponses // login, signup, refresh: no bearer token
	authed  *api.ClientWithResponses // every other operation: bearer token
	doer    api.HttpRequestDoer
	timeout time.Duration
	onTok   func(api.TokenPair)

	// notify serialises the OnTokens calls.
	notify sync.Mutex

	mu     sync.Mutex
	pair   api.TokenPair
	flight *refreshFlight // the refresh in progress, or nil
}

// refreshFlight is one refresh request; done closes when access and err
// are set.
type refreshFlight struct {
	done   chan struct{}
	access string
	err    error
}

// New returns a Client with no tokens for the API at server (the
// URL the paths are appended to, such as "http://localhost:8799").
func New(server string, opts Options) (*Client, error) {
	s := &Client{doer: opts.HTTPClient, timeout: opts.RefreshTimeout, onTok: opts.OnTokens}
	if s.doer == nil {
		s.doer = &http.Client{Timeout: 30 * time.Second}
	}
	if s.timeout <= 0 {
		s.timeout = 15 * time.Second
	}
	var err error
	if s.plain, err = api.NewClientWithResponses(server, api.WithHTTPClient(s.doer)); err != nil {
		return nil, err
	}
	if s.authed, err = api.NewClientWithResponses(server, api.WithHTTPClient(bearerDoer{s})); err != nil {
		return nil, err
	}
	return s, nil
}

// API is the typed client whose requests carry the session's access token
// and are refreshed once on a 401. Requests made while the Client has no
// tokens go without Authorization.
func (s *Client) API() *api.ClientWithResponses { return s.authed }

// Tokens returns the current token pair, zero when there is none.
func (s *Client) Tokens() api.TokenPair {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pair
}

// SetTokens resumes a session from a pair kept earlier (the output of
// login). The pair must not be in use by another Client or program: two
// holders of one refresh token end the session on their second refresh.
func (s *Client) SetTokens(p api.TokenPair) {
	s.setPair(p)
}

// Login logs in with a username (or email) and password and keeps the
// token pair it answers.
func (s *Client) Login(ctx context.Context, username, password string) (api.TokenPair, error) {
	res, err := s.plain.LoginWithFormdataBodyWithResponse(ctx, api.LoginRequest{Username: username, Password: password})
	if err != nil {
		return api.TokenPair{}, fmt.Errorf("login: %w", err)
	}
	return s.keep("login", res.JSON200, res.HTTPResponse, res.Body)
}

// Signup registers a user and keeps the token pair of the session that the
// server starts for it.
func (s *Client) Signup(ctx context.Context, req api.SignupRequest) (api.TokenPair, error) {
	res, err := s.plain.SignupWithResponse(ctx, req)
	if err != nil {
		return api.TokenPair{}, fmt.Errorf("signup: %w", err)
	}
	return s.keep("signup", res.JSON201, res.HTTPResponse, res.Body)
}

// ChangePassword changes the user's password. The server ends every
// session of the user and answers the pair of a new one, which the Client
// keeps.
func (s *Client) ChangePassword(ctx context.Context, current, next string) (api.TokenPair, error) {
	res, err := s.authed.ChangePasswordWithResponse(ctx, api.PasswordChange{CurrentPassword: current, NewPassword: next})
	if err != nil {
		return api.TokenPair{}, fmt.Errorf("change password: %w", err)
	}
	return s.keep("change password", res.JSON200, res.HTTPResponse, res.Body)
}

// keep stores the pair of a successful answer, or describes the failure.
func (s *Client) keep(op string, pair *api.TokenPair, resp *http.Response, body []byte) (api.TokenPair, error) {
	if pair == nil {
		return api.TokenPair{}, NewStatusError(op, resp, body)
	}
	s.setPair(*pair)
	return *pair, nil
}

// Refresh exchanges the refresh token for a new pair now (API does it by
// itself on a 401). It returns ErrSessionEnded when the server refuses the
// token and ErrNoSession when there is none.
func (s *Client) Refresh(ctx context.Context) error {
	_, err := s.refreshAfter(ctx, s.Tokens().AccessToken)
	return err
}

// Logout ends the session on the server and forgets the tokens. A session
// the server had already ended counts as logged out.
func (s *Client) Logout(ctx context.Context) error {
	if s.Tokens().AccessToken == "" {
		return ErrNoSession
	}
	res, err := s.authed.LogoutWithResponse(ctx, api.LogoutRequest{})
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	switch res.StatusCode() {
	case http.StatusOK, http.StatusUnauthorized:
		s.setPair(api.TokenPair{})
		return nil
	}
	return NewStatusError("logout", res.HTTPResponse, res.Body)
}

// setPair replaces the pair and tells OnTokens.
func (s *Client) setPair(p api.TokenPair) {
	s.notify.Lock()
	defer s.notify.Unlock()
	s.mu.Lock()
	s.pair = p
	s.flight = nil // a refresh in flight belongs to the replaced pair
	s.mu.Unlock()
	if s.onTok != nil {
		s.onTok(p)
	}
}

// refreshAfter returns the access token to use instead of used, which the
// server refused: the current one if another request has replaced used
// already, else the result of the one refresh in flight (started here if
// none is).
func (s *Client) refreshAfter(ctx context.Context, used string) (string, error) {
	s.mu.Lock()
	switch {
	case s.pair.AccessToken == "":
		s.mu.Unlock()
		return "", ErrNoSession
	case s.pair.AccessToken != used:
		access := s.pair.AccessToken
		s.mu.Unlock()
		return access, nil
	}
	f := s.flight
	if f == nil {
		f = &refreshFlight{done: make(chan struct{})}
		s.flight = f
		go s.refresh(f, s.pair.RefreshToken)
	}
	s.mu.Unlock()
	select {
	case <-f.done:
		return f.access, f.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// refresh runs flight f with the refresh token rt, on a context of its own:
// once sent, the old token may be spent, so the answer must not be lost to
// the cancellation of the request that started it.
func (s *Client) refresh(f *refreshFlight, rt *string) {
	defer close(f.done)
	if rt == nil {
		f.err = ErrSessionEnded
		s.endFlight(f, api.TokenPair{}, true)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	res, err := s.plain.RefreshWithResponse(ctx, api.RefreshRequest{RefreshToken: *rt})
	switch {
	case err != nil:
		// The server may or may not have rotated the pair; keep it.
		f.err = fmt.Errorf("refresh: %w", err)
		s.endFlight(f, api.TokenPair{}, false)
	case res.JSON200 != nil:
		f.access = res.JSON200.AccessToken
		s.endFlight(f, *res.JSON200, true)
	case res.StatusCode() == http.StatusUnauthorized:
		f.err = ErrSessionEnded
		s.endFlight(f, api.TokenPair{}, true)
	default:
		// 429, 503: the token was not spent; keep the pair.
		f.err = NewStatusError("refresh", res.HTTPResponse, res.Body)
		s.endFlight(f, api.TokenPair{}, false)
	}
}

// endFlight ends flight f and, when replace is set, installs p in the same
// critical section, so no request can see the flight gone with the old pair
// still in place. A pair set by SetTokens or a login while f was in flight
// stays.
func (s *Client) endFlight(f *refreshFlight, p api.TokenPair, replace bool) {
	s.notify.Lock()
	defer s.notify.Unlock()
	s.mu.Lock()
	current := s.flight == f
	if current {
		s.flight = nil
		if replace {
			s.pair = p
		}
	}
	s.mu.Unlock()
	if current && replace && s.onTok != nil {
		s.onTok(p)
	}
}

// bearerDoer sends a request with the session's access token and, when the
// server answers 401, refreshes once and repeats it.
type bearerDoer struct{ s *Client }

// Do sends req as described on bearerDoer. A request whose body cannot be
// read again is not repeated; its 401 is returned as it came.
func (d bearerDoer) Do(req *http.Request) (*http.Response, error) {
	s := d.s
	access := s.Tokens().AccessToken
	resp, err := s.doer.Do(withBearer(req, access, req.Body))
	if err != nil || resp.StatusCode != http.StatusUnauthorized || access == "" {
		return resp, err
	}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return resp, nil
	}
	next, err := s.refreshAfter(req.Context(), access)
	if errors.Is(err, ErrSessionEnded) || errors.Is(err, ErrNoSession) {
		return resp, nil // the 401 stands
	}
	discard(resp)
	if err != nil {
		return nil, err
	}
	body := req.Body
	if req.GetBody != nil {
		if body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	return s.doer.Do(withBearer(req, next, body))
}

// withBearer is a copy of req with body and "Authorization: Bearer access"
// (none when access is empty).
func withBearer(req *http.Request, access string, body io.ReadCloser) *http.Request {
	r := req.Clone(req.Context())
	r.Body = body
	if access != "" {
		r.Header.Set("Authorization", "Bearer "+access)
	}
	return r
}

// discard reads a little of resp's body, so the connection can be reused,
// and closes it.
func discard(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	_ = resp.Body.Close()
}

// NewStatusError describes the unsuccessful answer resp, whose body was
// read already, of the operation op, from its error envelope.
func NewStatusError(op string, resp *http.Response, body []byte) error {
	e := &StatusError{Op: op, Status: resp.StatusCode}
	var env api.Error
	var invalid api.ValidationError
	switch {
	case json.Unmarshal(body, &env) == nil && env.ErrorCode != "":
		e.Code, e.Detail = string(env.ErrorCode), env.Detail
	case json.Unmarshal(body, &invalid) == nil && len(invalid.Detail) > 0:
		fields := make([]string, len(invalid.Detail))
		for i, f := range invalid.Detail {
			fields[i] = strings.Join(f.Loc, ".") + ": " + f.Msg
		}
		e.Detail = strings.Join(fields, "; ")
	}
	return e
}
