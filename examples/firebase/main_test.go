package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/examples/internal/exampleapp"
	"github.com/groundwork-go/groundwork/examples/internal/exampletest"
)

// startExample serves the example in its default mode (fake key endpoint)
// on a database private to the test.
func startExample(t *testing.T) (*exampletest.Server, *fakeKeys, string) {
	t.Helper()
	var dev *fakeKeys
	srv, logs := exampletest.Build(t, "firebase", nil, func(ctx context.Context, app *exampleapp.App) (err error) {
		dev, err = setup(ctx, app)
		return err
	})
	if dev == nil {
		t.Fatal("got no fake key endpoint in the default mode")
	}
	return srv, dev, logs
}

type me struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	Email       string `json:"email"`
	FirebaseUID string `json:"firebase_uid"`
}

// mintDev asks the development route for an ID token, as a developer would.
func mintDev(t *testing.T, srv *exampletest.Server, uid, email string) string {
	t.Helper()
	var out struct {
		IDToken string `json:"id_token"`
	}
	srv.Do(t, http.MethodPost, "/dev/firebase/id-token", "", map[string]string{"uid": uid, "email": email}).Want(t, http.StatusOK, &out)
	return out.IDToken
}

func firebaseSignIn(t *testing.T, srv *exampletest.Server, idToken string) exampletest.Pair {
	t.Helper()
	var p exampletest.Pair
	srv.Do(t, http.MethodPost, "/api/v1/auth/firebase", "", map[string]string{"id_token": idToken}).Want(t, http.StatusOK, &p)
	if p.AccessToken == "" || p.RefreshToken == "" {
		t.Fatalf("got pair %+v, want both tokens", p)
	}
	return p
}

func getMe(t *testing.T, srv *exampletest.Server, token string) me {
	t.Helper()
	var m me
	srv.Do(t, http.MethodGet, "/api/v1/users/me", token, nil).Want(t, http.StatusOK, &m)
	return m
}

func TestFirebaseSignInHappyPath(t *testing.T) {
	srv, _, logs := startExample(t)
	if !strings.Contains(logs, "FIREBASE_PROJECT_ID is not set") {
		t.Errorf("got logs %q, want the line saying the fake key endpoint is used", logs)
	}
	idToken := mintDev(t, srv, "firebase-uid-abc", "ada@example.com")
	first := firebaseSignIn(t, srv, idToken)
	m := getMe(t, srv, first.AccessToken)
	if m.FirebaseUID != "firebase-uid-abc" || m.Email != "ada@example.com" || m.ID == 0 {
		t.Fatalf("got profile %+v, want the linked uid and the token's verified email", m)
	}
	// A second sign-in of the same uid is the same local user.
	again := getMe(t, srv, firebaseSignIn(t, srv, mintDev(t, srv, "firebase-uid-abc", "ada@example.com")).AccessToken)
	if again.ID != m.ID {
		t.Fatalf("got user %d on the second sign-in, want %d", again.ID, m.ID)
	}
	// The pair works like any Groundwork pair: refresh, then logout.
	var refreshed exampletest.Pair
	srv.Do(t, http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": first.RefreshToken}).Want(t, http.StatusOK, &refreshed)
	if got := getMe(t, srv, refreshed.AccessToken); got.ID != m.ID {
		t.Fatalf("got user %d after refresh, want %d", got.ID, m.ID)
	}
	// The created account has no password: the password login refuses it.
	srv.Do(t, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": m.Username, "password": "!firebase"}).
		WantError(t, http.StatusUnauthorized, "UNAUTHORIZED")
}

func TestFirebaseUIDIsNotALocalUserID(t *testing.T) {
	srv, _, _ := startExample(t)
	password := srv.Signup(t)
	local := getMe(t, srv, password.AccessToken)
	// A Firebase account whose uid spells the password user's id.
	uid := strconv.FormatInt(local.ID, 10)
	linked := getMe(t, srv, firebaseSignIn(t, srv, mintDev(t, srv, uid, "")).AccessToken)
	if linked.ID == local.ID {
		t.Fatalf("Firebase uid %q signed in as local user %d", uid, local.ID)
	}
	if linked.FirebaseUID != uid || !strings.HasSuffix(linked.Email, "@firebase.invalid") {
		t.Fatalf("got profile %+v, want uid %q and a placeholder email", linked, uid)
	}
	// A verified email another account holds is not taken over either.
	other := getMe(t, srv, firebaseSignIn(t, srv, mintDev(t, srv, "someone-else", local.Email)).AccessToken)
	if other.ID == local.ID || other.Email == local.Email {
		t.Fatalf("got profile %+v, want a new account apart from %+v", other, local)
	}
}

func TestFirebaseRejections(t *testing.T) {
	srv, keys, _ := startExample(t)
	now := time.Now()
	expired, err := keys.idToken("uid-expired", "", now.Add(-3*time.Hour), now.Add(-2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := newFakeKeys(localProject)
	if err != nil {
		t.Fatal(err)
	}
	stranger.kid = keys.kid // same key id, different key
	forged, err := stranger.idToken("uid-forged", "", now, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	otherProject, err := newFakeKeys("another-project")
	if err != nil {
		t.Fatal(err)
	}
	otherProject.kid, otherProject.key = keys.kid, keys.key
	wrongAudience, err := otherProject.idToken("uid-aud", "", now, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		token      string
		wantDetail string
	}{
		{"expired", expired, "expired"},
		{"signed by another key", forged, "invalid"},
		{"another project", wrongAudience, "invalid"},
		{"not a JWT", "not-a-token", "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := srv.Do(t, http.MethodPost, "/api/v1/auth/firebase", "", map[string]string{"id_token": tt.token})
			resp.WantError(t, http.StatusUnauthorized, "UNAUTHORIZED")
			if !strings.Contains(string(resp.Body), tt.wantDetail) {
				t.Fatalf("got %s, want a detail mentioning %q", resp.Body, tt.wantDetail)
			}
		})
	}
}

func TestFirebaseUnauthenticatedAndBadInput(t *testing.T) {
	srv, _, _ := startExample(t)
	idToken := mintDev(t, srv, "uid-bearer", "")
	tests := []struct {
		name, token string
	}{
		{"no token", ""},
		{"a Firebase ID token is not an access token", idToken},
		{"garbage", "abc.def.ghi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.Do(t, http.MethodGet, "/api/v1/users/me", tt.token, nil).WantError(t, http.StatusUnauthorized, "UNAUTHORIZED")
		})
	}
	srv.Do(t, http.MethodPost, "/api/v1/auth/firebase", "", map[string]string{}).WantValidation(t, "id_token")
	srv.Do(t, http.MethodPost, "/dev/firebase/id-token", "", map[string]string{"email": "x@example.com"}).WantValidation(t, "uid")
	srv.Do(t, http.MethodPost, "/api/v1/auth/firebase", "", "{").WantError(t, http.StatusBadRequest, "BAD_REQUEST")
}

func TestFirebaseConcurrentFirstSignInsMakeOneUser(t *testing.T) {
	srv, _, _ := startExample(t)
	const n = 4
	tokens := make([]string, n)
	for i := range tokens {
		tokens[i] = mintDev(t, srv, "uid-race", "")
	}
	type result struct {
		pair exampletest.Pair
		err  string
	}
	results := make(chan result, n)
	for _, tok := range tokens {
		go func() {
			body, _ := json.Marshal(map[string]string{"id_token": tok})
			resp, err := http.Post(srv.URL+"/api/v1/auth/firebase", "application/json", bytes.NewReader(body))
			if err != nil {
				results <- result{err: err.Error()}
				return
			}
			defer resp.Body.Close()
			var r result
			if resp.StatusCode != http.StatusOK {
				r.err = resp.Status
			} else if err := json.NewDecoder(resp.Body).Decode(&r.pair); err != nil {
				r.err = err.Error()
			}
			results <- r
		}()
	}
	seen := map[int64]bool{}
	for range n {
		r := <-results
		if r.err != "" {
			t.Fatalf("concurrent first sign-in failed: %s", r.err)
		}
		seen[getMe(t, srv, r.pair.AccessToken).ID] = true
	}
	if len(seen) != 1 {
		t.Fatalf("got local users %v for one uid, want one", seen)
	}
}
