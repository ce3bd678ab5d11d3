package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/groundwork-go/groundwork/httpx"
)

// The username and name policy end to end: the same requests must get the
// same status codes on PostgreSQL (DATABASE_URL set) and SQLite — in
// particular no 500 from bytes PostgreSQL refuses (a NUL, invalid UTF-8)
// and no 201 for them on SQLite. Form bodies are percent-encoded, so "\xff"
// travels as %FF and "\x00" as %00, as an attacker would send them.

// policyUsernames are signup usernames with the status they must get.
var policyUsernames = []struct {
	name, username string
	status         int
}{
	{"ascii", "alice", 201},
	{"digits, underscore, dot, hyphen", "Bob_99.x-y", 201},
	{"Latin with accent", "Ünsal", 201},
	{"decomposed accent", "jose\u0301", 201},
	{"full-width letters", "ｆｕｌｌｗｉｄｔｈ", 201},
	{"Cyrillic", "Дмитрий", 201},
	{"Greek", "Σωκράτης", 201},
	{"Han", "李小龍", 201},
	{"Arabic", "مريم", 201},
	{"Hebrew", "שלום", 201},
	{"Devanagari with combining marks", "नमस्ते", 201},
	{"Thai with combining marks", "ยินดี", 201},
	{"surrounding spaces", "  carol  ", 201},

	{"too short after trimming", "  ab  ", 422},
	{"51 characters", strings.Repeat("u", 51), 422},
	{"inner space", "al ice", 422},
	{"zero-width space after a taken name", "alice\u200b", 422},
	{"zero-width joiner", "ali\u200dce", 422},
	{"zero-width non-joiner", "ali\u200cce", 422},
	{"right-to-left override", "\u202eecila", 422},
	{"NUL", "dave\x00", 422},
	{"invalid UTF-8 (%ff)", "dave\xff", 422},
	{"control character", "da\x07ve", 422},
	{"semicolon", "dave;", 422},
	{"quotes", `da"ve'`, 422},
	{"at sign", "da@ve", 422},
	{"emoji", "dave😀", 422},
	{"starts with underscore", "_dave", 422},
}

// policyNames are first names with the status a signup must get; a PATCH
// of the same value as JSON gets 200 instead of 201.
var policyNames = []struct {
	name, value string
	status      int
}{
	{"ascii", "Ann", 201},
	{"diaeresis and apostrophe", "Zoë O'Brien", 201},
	{"Han", "李", 201},
	{"Arabic", "محمد", 201},
	{"Devanagari", "नमस्ते", 201},
	{"emoji", "😀", 201},

	{"blank after trimming", "   ", 422},
	{"NUL", "Ann\x00", 422},
	{"invalid UTF-8 (%ff)", "Ann\xff", 422},
	{"newline", "Ann\nLee", 422},
	{"zero-width joiner", "A\u200dnn", 422},
	{"right-to-left override", "\u202eAnn", 422},
	{"private use", "Ann\ue000", 422},
}

// policySignup signs up with username and first name and returns the
// response.
func policySignup(c apiClient, n int, username, first string) apiResponse {
	c.t.Helper()
	v := url.Values{"username": {username}, "email": {fmt.Sprintf("policy%d@example.com", n)},
		"password": {"testpass123"}, "first_name": {first}, "last_name": {"User"}}
	return c.form("/api/v1/auth/signup", v)
}

// wantFieldError checks a 422 body lists exactly field.
func wantFieldError(t *testing.T, r apiResponse, field string) {
	t.Helper()
	var body httpx.ValidationError
	if err := json.Unmarshal([]byte(r.raw), &body); err != nil {
		t.Fatalf("422 body %s: %v", r.raw, err)
	}
	if len(body.Detail) != 1 || strings.Join(body.Detail[0].Loc, ".") != field || body.Detail[0].Msg == "" {
		t.Errorf("422 body %s, want one error at [%q] with a message", r.raw, field)
	}
}

func TestUsernamePolicyEndToEnd(t *testing.T) {
	c := apiClient{t, startServer(t, map[string]string{"RATE_LIMIT_ENABLED": "false"}).URL}
	for i, tt := range policyUsernames {
		t.Run(tt.name, func(t *testing.T) {
			r := policySignup(c, i, tt.username, "Ann")
			want(t, r, tt.status)
			if tt.status == 422 {
				wantFieldError(t, r, "username")
			}
		})
	}
	// The refused message says what is allowed.
	r := policySignup(c, len(policyUsernames), "bad name", "Ann")
	want(t, r, 422)
	if !strings.Contains(r.raw, "letters or digits") {
		t.Errorf("422 message %s does not say what is allowed", r.raw)
	}
}

func TestNamePolicyEndToEnd(t *testing.T) {
	c := apiClient{t, startServer(t, map[string]string{"RATE_LIMIT_ENABLED": "false"}).URL}
	access, _ := c.signup("nameowner")
	for i, tt := range policyNames {
		t.Run(tt.name, func(t *testing.T) {
			r := policySignup(c, i, fmt.Sprintf("name%d", i), tt.value)
			want(t, r, tt.status)
			if tt.status == 422 {
				wantFieldError(t, r, "first_name")
			}
			if !utf8.ValidString(tt.value) {
				return // JSON cannot carry invalid UTF-8: the decoder repairs it
			}
			body, _ := json.Marshal(map[string]string{"last_name": tt.value})
			r = c.do("PATCH", "/api/v1/users/me", access, "application/json", string(body))
			if tt.status == 422 {
				want(t, r, 422)
				wantFieldError(t, r, "last_name")
			} else {
				want(t, r, 200)
			}
		})
	}
}

// TestBadBytesInEmail checks that an email carrying a NUL or invalid UTF-8
// is refused with 422 before the database sees it.
func TestBadBytesInEmail(t *testing.T) {
	c := apiClient{t, startServer(t, map[string]string{"RATE_LIMIT_ENABLED": "false"}).URL}
	for _, email := range []string{"nul\x00@example.com", "bad\xff@example.com", "rtl\u202e@example.com"} {
		v := signupValues("mailer")
		v.Set("email", email)
		r := c.form("/api/v1/auth/signup", v)
		want(t, r, 422)
		wantFieldError(t, r, "email")
	}
}

// TestLoginWithBadBytes checks that a login carrying bytes PostgreSQL
// refuses is simply a wrong login: 401, never 500.
func TestLoginWithBadBytes(t *testing.T) {
	c := apiClient{t, startServer(t, map[string]string{"RATE_LIMIT_ENABLED": "false"}).URL}
	c.signup("victim")
	for _, login := range []string{"victim\x00", "victim\x00@example.com", "victim\xff", "\u202evictim", "vic\u200btim", "\xff@example.com", "victim\u202e@example.com"} {
		r := c.form("/api/v1/auth/login", url.Values{"username": {login}, "password": {"testpass123"}})
		if r.status != 401 {
			t.Errorf("login %q = %d %s, want 401", login, r.status, r.raw)
		}
	}
}
