package main

import (
	"fmt"
	"net/url"
	"testing"
)

// A stolen access token cannot brute-force the current password: the
// password route has the strict tier per user (and per IP).
func TestPasswordChangeBruteForceLimited(t *testing.T) {
	c := apiClient{t, startServer(t, map[string]string{"RATE_LIMIT_STRICT": "5", "RATE_LIMIT_USER": "1000"}).URL}
	access, _ := c.signup("bruteforced") // one strict request, per IP, of the signup bucket
	codes := map[int]int{}
	for i := range 12 {
		r := c.do("POST", "/api/v1/users/me/password", access, "application/json",
			fmt.Sprintf(`{"current_password":"guess-%02d-xx","new_password":"brand-new-pass"}`, i))
		codes[r.status]++
		if r.status == 429 && r.header.Get("Retry-After") == "" {
			t.Fatalf("429 without Retry-After: %s", r.raw)
		}
	}
	if codes[400] != 5 || codes[429] != 7 {
		t.Fatalf("12 wrong-password changes answered %v, want 5 × 400 then 7 × 429", codes)
	}
}

// Requests that fail authentication count against the default tier per
// IP and are answered 429 once it is spent; an authenticated request is
// not affected and makes exactly one rate-limit decision.
func TestUnauthenticatedFloodLimited(t *testing.T) {
	s := startServer(t, map[string]string{"RATE_LIMIT_DEFAULT": "20", "RATE_LIMIT_USER": "1000"})
	c := apiClient{t, s.URL}
	access, _ := c.signup("floodvictim")
	codes := map[int]int{}
	for i := range 30 {
		token := ""
		if i%3 == 1 {
			token = "not-a-token"
		} else if i%3 == 2 {
			token = access[:len(access)-4] + "AAAA" // forged signature
		}
		r := c.do("GET", "/api/v1/users/me", token, "", "")
		codes[r.status]++
	}
	if codes[401] != 20 || codes[429] != 10 {
		t.Fatalf("30 unauthenticated requests answered %v, want 20 × 401 then 10 × 429", codes)
	}
	before := s.app.limiterStats()
	want(t, c.do("GET", "/api/v1/users/me", access, "", ""), 200)
	after := s.app.limiterStats()
	if d := after.Allowed + after.Denied - before.Allowed - before.Denied; d != 1 {
		t.Fatalf("an authenticated request made %d rate-limit decisions, want 1", d)
	}
}

// Guesses at one account from many addresses are limited per login name.
func TestLoginThrottledPerUsername(t *testing.T) {
	s := startServer(t, map[string]string{"RATE_LIMIT_STRICT": "4", "TRUSTED_PROXIES": "127.0.0.1/32"})
	c := apiClient{t, s.URL}
	if r := c.do("POST", "/api/v1/auth/signup", "", formType, signupValues("targeted").Encode(),
		"X-Forwarded-For", "203.0.113.200"); r.status != 201 {
		t.Fatalf("signup: %d %s", r.status, r.raw)
	}
	codes := map[int]int{}
	for i := range 7 {
		body := url.Values{"username": {"Targeted"}, "password": {"wrong-password"}}.Encode()
		r := c.do("POST", "/api/v1/auth/login", "", formType, body, "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i+1))
		codes[r.status]++
	}
	if codes[401] != 4 || codes[429] != 3 {
		t.Fatalf("7 guesses at one account from 7 addresses answered %v, want 4 × 401 then 3 × 429", codes)
	}
	body := url.Values{"username": {"someone-else"}, "password": {"wrong-password"}}.Encode()
	if r := c.do("POST", "/api/v1/auth/login", "", formType, body, "X-Forwarded-For", "203.0.113.99"); r.status != 401 {
		t.Fatalf("another account's login: %d, want 401", r.status)
	}
}
