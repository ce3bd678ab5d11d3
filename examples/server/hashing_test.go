package main

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestHashMaxWaitConfig(t *testing.T) {
	cfg, err := loadConfig(envFrom(nil))
	if err != nil || cfg.HashMaxWait != 1500*time.Millisecond {
		t.Fatalf("default HASH_MAX_WAIT = %v (%v), want 1.5s", cfg.HashMaxWait, err)
	}
	cfg, err = loadConfig(envFrom(map[string]string{"HASH_MAX_WAIT": "250ms"}))
	if err != nil || cfg.HashMaxWait != 250*time.Millisecond {
		t.Fatalf("HASH_MAX_WAIT=250ms gives %v (%v), want 250ms", cfg.HashMaxWait, err)
	}
	for _, v := range []string{"0", "-1s", "soon"} {
		if _, err := loadConfig(envFrom(map[string]string{"HASH_MAX_WAIT": v})); err == nil || !strings.Contains(err.Error(), "HASH_MAX_WAIT") {
			t.Errorf("HASH_MAX_WAIT=%q: error %v, want one naming the variable", v, err)
		}
	}
}

// TestSignupFloodAnswers503 checks the wiring of HASH_MAX_WAIT: with a wait
// bound of a nanosecond, a burst of signups far larger than the number of
// hashing slots (GOMAXPROCS) sees some refused with 503 and Retry-After
// instead of queueing, and every other one succeeds — none fails otherwise.
func TestSignupFloodAnswers503(t *testing.T) {
	c := apiClient{t, startServer(t, map[string]string{"RATE_LIMIT_ENABLED": "false", "HASH_MAX_WAIT": "1ns"}).URL}
	const n = 40
	counts := flood(t, n, func(i int) apiResponse {
		return c.form("/api/v1/auth/signup", signupValues(fmt.Sprintf("flood%d", i)))
	})
	if counts[503] == 0 || counts[201]+counts[503] != n {
		t.Errorf("statuses %v, want some 503 and the rest 201", counts)
	}
}

// TestLoginFloodAnswers503 is the same for logins, known and unknown users
// alike (an unknown user's dummy hash waits for a slot too, so a 503 tells
// nothing about which accounts exist).
func TestLoginFloodAnswers503(t *testing.T) {
	c := apiClient{t, startServer(t, map[string]string{"RATE_LIMIT_ENABLED": "false", "HASH_MAX_WAIT": "1ns"}).URL}
	for {
		if r := c.form("/api/v1/auth/signup", signupValues("floodlogin")); r.status == 201 {
			break
		} else if r.status != 503 {
			t.Fatalf("signup: %d %s", r.status, r.raw)
		}
	}
	const n = 40
	counts := flood(t, n, func(i int) apiResponse {
		user := "floodlogin"
		if i%2 == 1 {
			user = "nobody-here"
		}
		return c.form("/api/v1/auth/login", url.Values{"username": {user}, "password": {"testpass123"}})
	})
	if counts[503] == 0 || counts[200]+counts[401]+counts[503] != n {
		t.Errorf("statuses %v, want some 503 and the rest 200 or 401", counts)
	}
}

// flood sends n requests at once and counts their statuses; every 503 must
// carry Retry-After 1 and the SERVICE_UNAVAILABLE envelope.
func flood(t *testing.T, n int, send func(i int) apiResponse) map[int]int {
	t.Helper()
	results := make(chan apiResponse, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			results <- send(i)
		})
	}
	close(start)
	wg.Wait()
	close(results)
	counts := map[int]int{}
	for r := range results {
		counts[r.status]++
		if r.status == 503 && (r.header.Get("Retry-After") != "1" || r.body["error_code"] != "SERVICE_UNAVAILABLE") {
			t.Errorf("503 with Retry-After %q, body %s; want Retry-After 1 and SERVICE_UNAVAILABLE", r.header.Get("Retry-After"), r.raw)
		}
	}
	return counts
}
