package main

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/groundwork-go/groundwork/examples/internal/exampletest"
)

// startExample serves the example in its default mode (in-process fake) on
// a database private to the test.
func startExample(t *testing.T) *exampletest.Server {
	t.Helper()
	srv, logs := exampletest.Build(t, "firestore", nil, setup)
	if !strings.Contains(logs, "FIRESTORE_PROJECT_ID is not set") {
		t.Fatalf("got logs %q, want the default mode on the fake", logs)
	}
	return srv
}

const prefsPath = "/api/v1/users/me/preferences"

func prefs(theme, lang string, notify bool) map[string]any {
	return map[string]any{"theme": theme, "language": lang, "notifications_enabled": notify}
}

// put sends a PUT with an optional If-Match header.
func put(t *testing.T, srv *exampletest.Server, token, ifMatch string, body any) *exampletest.Response {
	t.Helper()
	return srv.DoWith(t, http.MethodPut, prefsPath, token, body, map[string]string{"If-Match": ifMatch})
}

func TestPreferencesHappyPath(t *testing.T) {
	srv := startExample(t)
	user := srv.Signup(t)
	srv.Do(t, http.MethodGet, prefsPath, user.AccessToken, nil).WantError(t, http.StatusNotFound, "NOT_FOUND")

	var created prefsJSON
	resp := put(t, srv, user.AccessToken, "", prefs("dark", "en", true))
	resp.Want(t, http.StatusCreated, &created)
	if created.Theme != "dark" || created.Version == "" || resp.Header.Get("ETag") != strconv.Quote(created.Version) {
		t.Fatalf("got %+v with ETag %q, want dark with its version as ETag", created, resp.Header.Get("ETag"))
	}
	var read prefsJSON
	resp = srv.Do(t, http.MethodGet, prefsPath, user.AccessToken, nil)
	resp.Want(t, http.StatusOK, &read)
	if read != created {
		t.Fatalf("got %+v, want %+v", read, created)
	}
	var updated prefsJSON
	put(t, srv, user.AccessToken, resp.Header.Get("ETag"), prefs("light", "fr-CA", false)).Want(t, http.StatusOK, &updated)
	if updated.Theme != "light" || updated.Language != "fr-CA" || updated.NotificationsEnabled || updated.Version == created.Version {
		t.Fatalf("got %+v, want the update under a new version", updated)
	}
	// Documents are per user.
	other := srv.Signup(t)
	srv.Do(t, http.MethodGet, prefsPath, other.AccessToken, nil).WantError(t, http.StatusNotFound, "NOT_FOUND")
}

func TestPreferencesConflict(t *testing.T) {
	srv := startExample(t)
	user := srv.Signup(t)
	var v1 prefsJSON
	put(t, srv, user.AccessToken, "", prefs("dark", "en", true)).Want(t, http.StatusCreated, &v1)

	// Two clients read version 1; the first write wins, the second is 409.
	put(t, srv, user.AccessToken, strconv.Quote(v1.Version), prefs("light", "en", true)).Want(t, http.StatusOK, nil)
	put(t, srv, user.AccessToken, strconv.Quote(v1.Version), prefs("system", "de", false)).WantError(t, http.StatusConflict, "CONFLICT")
	var now prefsJSON
	srv.Do(t, http.MethodGet, prefsPath, user.AccessToken, nil).Want(t, http.StatusOK, &now)
	if now.Theme != "light" {
		t.Fatalf("got theme %q, want the first writer's light", now.Theme)
	}
	// Creating over existing preferences is a conflict too; "*" overwrites.
	put(t, srv, user.AccessToken, "", prefs("dark", "en", true)).WantError(t, http.StatusConflict, "CONFLICT")
	var forced prefsJSON
	put(t, srv, user.AccessToken, "*", prefs("system", "de", false)).Want(t, http.StatusOK, &forced)
	if forced.Theme != "system" || forced.Version == now.Version {
		t.Fatalf("got %+v, want the overwrite under a new version", forced)
	}
}

func TestPreferencesRejections(t *testing.T) {
	srv := startExample(t)
	user := srv.Signup(t)
	srv.Do(t, http.MethodGet, prefsPath, "", nil).WantError(t, http.StatusUnauthorized, "UNAUTHORIZED")
	put(t, srv, "", "", prefs("dark", "en", true)).WantError(t, http.StatusUnauthorized, "UNAUTHORIZED")
	tests := []struct {
		name  string
		body  any
		field string
	}{
		{"unknown theme", prefs("neon", "en", true), "theme"},
		{"no language", map[string]any{"theme": "dark", "notifications_enabled": true}, "language"},
		{"no notifications flag", map[string]any{"theme": "dark", "language": "en"}, "notifications_enabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			put(t, srv, user.AccessToken, "", tt.body).WantValidation(t, tt.field)
		})
	}
	put(t, srv, user.AccessToken, `"yesterday"`, prefs("dark", "en", true)).WantError(t, http.StatusBadRequest, "BAD_REQUEST")
	srv.Do(t, http.MethodGet, prefsPath, user.AccessToken, nil).WantError(t, http.StatusNotFound, "NOT_FOUND")
}
