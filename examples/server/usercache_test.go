package main

import (
	"testing"
)

// TestWarmMeCostsNoDatabaseQuery: once a user's profile is cached, GET
// /users/me (existence check included) is answered with the database gone.
func TestWarmMeCostsNoDatabaseQuery(t *testing.T) {
	s := startServer(t, nil)
	c := apiClient{t, s.URL}
	access, _ := c.signup("cached")
	want(t, c.do("GET", "/api/v1/users/me", access, "", ""), 200) // warms the cache
	s.app.db.Close()
	r := c.do("GET", "/api/v1/users/me", access, "", "")
	want(t, r, 200)
	if r.body["username"] != "cached" {
		t.Fatalf("cached profile %s", r.raw)
	}
}

// TestProfileChangesInvalidateTheCache: a cached profile is replaced as
// soon as it changes.
func TestProfileChangesInvalidateTheCache(t *testing.T) {
	c := apiClient{t, startServer(t, nil).URL}
	access, _ := c.signup("changer")
	want(t, c.do("GET", "/api/v1/users/me", access, "", ""), 200)
	want(t, c.do("PATCH", "/api/v1/users/me", access, "application/json", `{"last_name":"Lovelace"}`), 200)
	r := c.do("GET", "/api/v1/users/me", access, "", "")
	want(t, r, 200)
	if r.body["last_name"] != "Lovelace" {
		t.Fatalf("GET after PATCH returned stale %s", r.raw)
	}
	want(t, c.do("DELETE", "/api/v1/users/me", access, "", ""), 204)
	want(t, c.do("GET", "/api/v1/users/me", access, "", ""), 401)
}

// TestWarmMeLooksUpTheProfileOnce: the existence check's lookup serves the
// handler too, so a warm GET /users/me is one cache hit, not two.
func TestWarmMeLooksUpTheProfileOnce(t *testing.T) {
	s := startServer(t, nil)
	c := apiClient{t, s.URL}
	access, _ := c.signup("looked-up")
	want(t, c.do("GET", "/api/v1/users/me", access, "", ""), 200) // warms the cache
	hits := func() float64 {
		return scrape(t, s.URL, "groundwork_cache_events_total", `cache="users"`, `event="hit"`)
	}
	before := hits()
	const requests = 5
	for range requests {
		r := c.do("GET", "/api/v1/users/me", access, "", "")
		want(t, r, 200)
		if r.body["username"] != "looked-up" {
			t.Fatalf("profile %s", r.raw)
		}
	}
	if got := hits() - before; got != requests {
		t.Fatalf("cache hits for %d warm requests: %v, want %d", requests, got, requests)
	}
}
