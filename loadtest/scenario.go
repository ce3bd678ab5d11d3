package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
)

// scenario is one endpoint under load: how each worker builds its next
// request and what it learns from the answer.
type scenario struct {
	name     string
	endpoint string // "METHOD /path", for the report
	target   *url.URL
	// build returns the next complete request of worker w.
	build func(w *worker) []byte
	// after, when set, sees every answer (and gets the body).
	after func(w *worker, status int, body []byte)
}

// account is a user created during set-up.
type account struct {
	username, access, refresh string
}

const loadPassword = "loadtest-pass-123"

func getRequest(host, path, token string) []byte {
	s := "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: groundwork-loadtest\r\n"
	if token != "" {
		s += "Authorization: Bearer " + token + "\r\n"
	}
	return []byte(s + "\r\n")
}

func postRequest(host, path, contentType, body string) []byte {
	return []byte("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: groundwork-loadtest\r\n" +
		"Content-Type: " + contentType + "\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
}

func healthScenario(target *url.URL) *scenario {
	req := getRequest(target.Host, "/health", "")
	return &scenario{name: "health", endpoint: "GET /health", target: target, build: func(*worker) []byte { return req }}
}

// meScenario spreads the workers over the accounts' access tokens.
func meScenario(name string, target *url.URL, accounts []account) *scenario {
	reqs := make([][]byte, len(accounts))
	for i, a := range accounts {
		reqs[i] = getRequest(target.Host, "/api/v1/users/me", a.access)
	}
	return &scenario{name: name, endpoint: "GET /api/v1/users/me", target: target, build: func(w *worker) []byte {
		return reqs[(w.id+w.sent)%len(reqs)]
	}}
}

func loginScenario(target *url.URL, accounts []account) *scenario {
	return &scenario{name: "login", endpoint: "POST /api/v1/auth/login", target: target, build: func(w *worker) []byte {
		a := accounts[(w.id+w.sent)%len(accounts)]
		form := url.Values{"username": {a.username}, "password": {loadPassword}}.Encode()
		return postRequest(target.Host, "/api/v1/auth/login", "application/x-www-form-urlencoded", form)
	}}
}

// signupScenario creates a new user per request, named after the run, the
// worker and its request count so names never repeat.
func signupScenario(target *url.URL, run string) *scenario {
	return &scenario{name: "signup", endpoint: "POST /api/v1/auth/signup", target: target, build: func(w *worker) []byte {
		return postRequest(target.Host, "/api/v1/auth/signup", "application/x-www-form-urlencoded",
			signupForm(fmt.Sprintf("%ss%d_%d", run, w.id, w.sent)))
	}}
}

func signupForm(username string) string {
	return url.Values{"username": {username}, "email": {username + "@example.com"}, "password": {loadPassword},
		"first_name": {"Load"}, "last_name": {"Test"}}.Encode()
}

// refreshScenario gives each worker its own refresh-token chain: refresh
// rotates the token, so the worker continues with the one it received.
func refreshScenario(target *url.URL, chains []string) *scenario {
	return &scenario{
		name: "refresh", endpoint: "POST /api/v1/auth/refresh", target: target,
		build: func(w *worker) []byte {
			if w.refresh == "" {
				w.refresh = chains[w.id%len(chains)]
			}
			return postRequest(target.Host, "/api/v1/auth/refresh", "application/json", `{"refresh_token":"`+w.refresh+`"}`)
		},
		after: func(w *worker, status int, body []byte) {
			var tok struct {
				Refresh string `json:"refresh_token"`
			}
			if status == 200 && json.Unmarshal(body, &tok) == nil && tok.Refresh != "" {
				w.refresh = tok.Refresh
			}
		},
	}
}
