package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// client performs the set-up calls (signups, logins, cache warm-up) with
// the standard library's client.
type client struct {
	base *url.URL
	http *http.Client
}

func newClient(base *url.URL) *client {
	return &client{base: base, http: &http.Client{Timeout: 30 * time.Second}}
}

func (c *client) call(ctx context.Context, method, path, contentType, body, token string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

type tokenPair struct {
	Access  string `json:"access_token"`
	Refresh string `json:"refresh_token"`
}

// tokens posts a form that answers with a token pair (signup, login).
func (c *client) tokens(ctx context.Context, path, form string, want int) (tokenPair, error) {
	status, body, err := c.call(ctx, "POST", path, "application/x-www-form-urlencoded", form, "")
	if err != nil {
		return tokenPair{}, fmt.Errorf("%s: %w", path, err)
	}
	var tp tokenPair
	if status != want || json.Unmarshal(body, &tp) != nil || tp.Access == "" {
		return tokenPair{}, fmt.Errorf("%s: got %d %s, want %d with tokens (are RATE_LIMIT_STRICT and friends raised?)", path, status, body, want)
	}
	return tp, nil
}

// parallel runs f(i) for i in [0, n) on a few goroutines and returns the
// first error.
func parallel(n, workers int, f func(i int) error) error {
	var mu sync.Mutex
	var first error
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				if err := f(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}

// createAccounts signs up n users named after run and warms their cached
// profiles with one GET /users/me each.
func (c *client) createAccounts(ctx context.Context, run string, n int) ([]account, error) {
	accounts := make([]account, n)
	err := parallel(n, 8, func(i int) error {
		name := fmt.Sprintf("%su%d", run, i)
		tp, err := c.tokens(ctx, "/api/v1/auth/signup", signupForm(name), 201)
		if err != nil {
			return err
		}
		accounts[i] = account{username: name, access: tp.Access, refresh: tp.Refresh}
		// Set-up shares the machine with the signups' password hashing, so a
		// check may run out of its time: a 503 is retried a few times (this
		// is warming, not measurement).
		var status int
		var body []byte
		for attempt := range 5 {
			status, body, err = c.call(ctx, "GET", "/api/v1/users/me", "", "", tp.Access)
			if err != nil || status != 503 {
				break
			}
			time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
		}
		if err != nil || status != 200 {
			return fmt.Errorf("warm /users/me: %d %s %v", status, body, err)
		}
		return nil
	})
	return accounts, err
}

// refreshChains returns n independent refresh tokens: the accounts' own,
// then fresh logins when there are more connections than accounts.
func (c *client) refreshChains(ctx context.Context, accounts []account, n int) ([]string, error) {
	chains := make([]string, n)
	err := parallel(n, 8, func(i int) error {
		if i < len(accounts) {
			chains[i] = accounts[i].refresh
			return nil
		}
		a := accounts[i%len(accounts)]
		tp, err := c.tokens(ctx, "/api/v1/auth/login", url.Values{"username": {a.username}, "password": {loadPassword}}.Encode(), 200)
		chains[i] = tp.Refresh
		return err
	})
	return chains, err
}
