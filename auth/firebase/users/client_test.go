package users

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/auth/firebase"
)

func ptr[T any](v T) *T { return &v }

func TestCreateAndGetUser(t *testing.T) {
	f := newFakeToolkit(t)
	c := newTestClient(t, f)
	ctx := context.Background()

	u, err := c.CreateUser(ctx, UserToCreate{
		UID: "ada", Email: "ada@example.com", EmailVerified: true, Password: "secret-pw",
		PhoneNumber: "+15555550100", DisplayName: "Ada", PhotoURL: "https://example.com/ada.png",
	})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	want := &User{
		UID: "ada", Email: "ada@example.com", EmailVerified: true, PhoneNumber: "+15555550100",
		DisplayName: "Ada", PhotoURL: "https://example.com/ada.png", CreatedAt: time.UnixMilli(1764072000000),
	}
	if !reflect.DeepEqual(u, want) {
		t.Errorf("CreateUser: got %+v, want %+v", u, want)
	}
	if got := f.body("signUp")["password"]; got != "secret-pw" {
		t.Errorf("signUp password field: got %v, want secret-pw", got)
	}

	gets := []struct {
		name string
		get  func() (*User, error)
	}{
		{"uid", func() (*User, error) { return c.GetUser(ctx, "ada") }},
		{"email", func() (*User, error) { return c.GetUserByEmail(ctx, "ada@example.com") }},
		{"phone", func() (*User, error) { return c.GetUserByPhoneNumber(ctx, "+15555550100") }},
	}
	for _, g := range gets {
		got, err := g.get()
		if err != nil || got.UID != "ada" {
			t.Errorf("get by %s: got (%v, %v), want ada", g.name, got, err)
		}
	}

	gen, err := c.CreateUser(ctx, UserToCreate{Email: "bob@example.com"})
	if err != nil || gen.UID != "generated-001" {
		t.Errorf("CreateUser without uid: got (%v, %v), want the service's generated uid", gen, err)
	}
}

func TestErrorsMapToSentinels(t *testing.T) {
	f := newFakeToolkit(t)
	c := newTestClient(t, f)
	ctx := context.Background()
	if _, err := c.CreateUser(ctx, UserToCreate{UID: "ada", Email: "ada@example.com", PhoneNumber: "+15555550100"}); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	tests := []struct {
		name    string
		call    func() error
		wantErr error
	}{
		{"duplicate email", func() error {
			_, err := c.CreateUser(ctx, UserToCreate{Email: "ada@example.com"})
			return err
		}, ErrEmailExists},
		{"duplicate uid", func() error { _, err := c.CreateUser(ctx, UserToCreate{UID: "ada"}); return err }, ErrUIDExists},
		{"duplicate phone", func() error {
			_, err := c.CreateUser(ctx, UserToCreate{PhoneNumber: "+15555550100"})
			return err
		}, ErrPhoneNumberExists},
		{"weak password", func() error { _, err := c.CreateUser(ctx, UserToCreate{Password: "123"}); return err }, ErrInvalidInput},
		{"unknown uid", func() error { _, err := c.GetUser(ctx, "nobody"); return err }, ErrUserNotFound},
		{"unknown email", func() error { _, err := c.GetUserByEmail(ctx, "x@example.com"); return err }, ErrUserNotFound},
		{"update unknown", func() error {
			_, err := c.UpdateUser(ctx, "nobody", UserToUpdate{DisplayName: ptr("x")})
			return err
		}, ErrUserNotFound},
		{"delete unknown", func() error { return c.DeleteUser(ctx, "nobody") }, ErrUserNotFound},
		{"reserved claim", func() error { return c.SetCustomClaims(ctx, "ada", map[string]any{"sub": "x"}) }, ErrInvalidInput},
		{"claims too large", func() error {
			return c.SetCustomClaims(ctx, "ada", map[string]any{"blob": strings.Repeat("x", 1000)})
		}, ErrInvalidInput},
		{"page size", func() error { _, err := c.ListUsers(ctx, "", 1001); return err }, ErrInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, tt.wantErr) {
				t.Errorf("got %v, want %v", err, tt.wantErr)
			}
		})
	}

	statuses := []struct {
		status  int
		wantErr error
	}{{http.StatusServiceUnavailable, ErrUnavailable}, {http.StatusForbidden, ErrPermissionDenied}, {http.StatusInternalServerError, ErrUnavailable}}
	for _, s := range statuses {
		f.mu.Lock()
		f.failWith = s.status
		f.mu.Unlock()
		if _, err := c.GetUser(ctx, "ada"); !errors.Is(err, s.wantErr) {
			t.Errorf("status %d: got %v, want %v", s.status, err, s.wantErr)
		}
	}
}

func TestUpdateUser(t *testing.T) {
	f := newFakeToolkit(t)
	c := newTestClient(t, f)
	ctx := context.Background()
	if _, err := c.CreateUser(ctx, UserToCreate{UID: "ada", Email: "ada@example.com", PhoneNumber: "+15555550100", DisplayName: "Ada"}); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}

	u, err := c.UpdateUser(ctx, "ada", UserToUpdate{
		Email: ptr("ada@lovelace.dev"), Password: ptr("new-password"), Disabled: ptr(true),
		EmailVerified: ptr(true), CustomClaims: map[string]any{"role": "admin", "level": 3},
	})
	if err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	if u.Email != "ada@lovelace.dev" || !u.Disabled || !u.EmailVerified || u.DisplayName != "Ada" {
		t.Errorf("after update: got %+v, want new email, disabled, verified, name kept", u)
	}
	if want := map[string]any{"role": "admin", "level": float64(3)}; !reflect.DeepEqual(u.CustomClaims, want) {
		t.Errorf("claims: got %v, want %v", u.CustomClaims, want)
	}

	// false must reach the API even though the generated types omit zero values.
	u, err = c.UpdateUser(ctx, "ada", UserToUpdate{Disabled: ptr(false), DisplayName: ptr(""), PhoneNumber: ptr("")})
	if err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	body := f.body("update")
	if v, ok := body["disableUser"]; !ok || v != false {
		t.Errorf("disableUser field: got %v (present %v), want false", v, ok)
	}
	if got := body["deleteAttribute"]; !reflect.DeepEqual(got, []any{"DISPLAY_NAME"}) {
		t.Errorf("deleteAttribute: got %v, want [DISPLAY_NAME]", got)
	}
	if got := body["deleteProvider"]; !reflect.DeepEqual(got, []any{"phone"}) {
		t.Errorf("deleteProvider: got %v, want [phone]", got)
	}
	if _, sent := body["email"]; sent {
		t.Errorf("email sent although unchanged: %v", body)
	}
	if u.Disabled || u.DisplayName != "" || u.PhoneNumber != "" {
		t.Errorf("after second update: got %+v, want enabled, no name, no phone", u)
	}

	if err := c.SetCustomClaims(ctx, "ada", nil); err != nil {
		t.Fatalf("SetCustomClaims(nil): %v", err)
	}
	if got := f.body("update")["customAttributes"]; got != "{}" {
		t.Errorf("clearing claims: got customAttributes %v, want {}", got)
	}
}

func TestDeleteUser(t *testing.T) {
	f := newFakeToolkit(t)
	c := newTestClient(t, f)
	ctx := context.Background()
	if _, err := c.CreateUser(ctx, UserToCreate{UID: "ada"}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteUser(ctx, "ada"); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if _, err := c.GetUser(ctx, "ada"); !errors.Is(err, ErrUserNotFound) {
		t.Errorf("after delete: got %v, want ErrUserNotFound", err)
	}
}

func TestListUsersPagination(t *testing.T) {
	f := newFakeToolkit(t)
	c := newTestClient(t, f)
	ctx := context.Background()
	var want []string
	for i := range 5 {
		uid := fmt.Sprintf("user-%d", i)
		want = append(want, uid)
		if _, err := c.CreateUser(ctx, UserToCreate{UID: uid}); err != nil {
			t.Fatal(err)
		}
	}

	var got []string
	pages := 0
	token := ""
	for {
		page, err := c.ListUsers(ctx, token, 2)
		if err != nil {
			t.Fatalf("ListUsers: %v", err)
		}
		pages++
		for _, u := range page.Users {
			got = append(got, u.UID)
		}
		if token = page.NextPageToken; token == "" {
			break
		}
	}
	if !slices.Equal(got, want) || pages != 3 {
		t.Errorf("ListUsers: got %v in %d pages, want %v in 3", got, pages, want)
	}

	got = nil
	for u, err := range c.AllUsers(ctx, 2) {
		if err != nil {
			t.Fatalf("AllUsers: %v", err)
		}
		got = append(got, u.UID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("AllUsers: got %v, want %v", got, want)
	}
}

func TestRevokeRefreshTokens(t *testing.T) {
	f := newFakeToolkit(t)
	c := newTestClient(t, f)
	ctx := context.Background()
	if _, err := c.CreateUser(ctx, UserToCreate{UID: "ada"}); err != nil {
		t.Fatal(err)
	}
	before, err := c.TokensValidAfter(ctx, "ada")
	if err != nil || !before.IsZero() {
		t.Fatalf("TokensValidAfter before revoking: got (%v, %v), want zero time", before, err)
	}
	if err := c.RevokeRefreshTokens(ctx, "ada"); err != nil {
		t.Fatalf("RevokeRefreshTokens: %v", err)
	}
	if got := f.body("update")["validSince"]; got != "1800000000" {
		t.Errorf("validSince sent: got %v, want \"1800000000\"", got)
	}
	after, err := c.TokensValidAfter(ctx, "ada")
	if err != nil || !after.Equal(time.Unix(1_800_000_000, 0)) {
		t.Errorf("TokensValidAfter: got (%v, %v), want %v", after, err, time.Unix(1_800_000_000, 0))
	}
}

func TestUserState(t *testing.T) {
	f := newFakeToolkit(t)
	c := newTestClient(t, f)
	ctx := context.Background()
	if _, err := c.CreateUser(ctx, UserToCreate{UID: "ada"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateUser(ctx, UserToCreate{UID: "bob", Disabled: true}); err != nil {
		t.Fatal(err)
	}
	if err := c.RevokeRefreshTokens(ctx, "ada"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		uid     string
		want    firebase.UserState
		wantErr error
	}{
		{"ada", firebase.UserState{TokensValidAfter: time.Unix(1_800_000_000, 0)}, nil},
		{"bob", firebase.UserState{Disabled: true}, nil},
		{"nobody", firebase.UserState{}, ErrUserNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.uid, func(t *testing.T) {
			got, err := c.UserState(ctx, tt.uid)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if !got.TokensValidAfter.Equal(tt.want.TokensValidAfter) || got.Disabled != tt.want.Disabled {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestEmailActionLink(t *testing.T) {
	f := newFakeToolkit(t)
	c := newTestClient(t, f)
	ctx := context.Background()
	if _, err := c.CreateUser(ctx, UserToCreate{UID: "ada", Email: "ada@example.com"}); err != nil {
		t.Fatal(err)
	}

	link, err := c.EmailActionLink(ctx, ActionPasswordReset, "ada@example.com", &ActionCodeSettings{URL: "https://app.example.com/done"})
	if err != nil {
		t.Fatalf("EmailActionLink: %v", err)
	}
	if !strings.Contains(link, "mode=resetPassword") || !strings.Contains(link, "continueUrl=https://app.example.com/done") {
		t.Errorf("link: got %q, want a resetPassword link continuing to the app", link)
	}
	body := f.body("sendOobCode")
	if body["requestType"] != "PASSWORD_RESET" || body["returnOobLink"] != true || body["email"] != "ada@example.com" {
		t.Errorf("sendOobCode body: got %v", body)
	}

	tests := []struct {
		name     string
		kind     ActionKind
		email    string
		settings *ActionCodeSettings
		wantErr  error
	}{
		{"verify email", ActionVerifyEmail, "ada@example.com", nil, nil},
		{"sign-in link", ActionEmailSignIn, "new@example.com", &ActionCodeSettings{URL: "https://app.example.com/finish", HandleCodeInApp: true}, nil},
		{"sign-in without settings", ActionEmailSignIn, "new@example.com", nil, ErrInvalidInput},
		{"unknown kind", ActionKind("NOPE"), "ada@example.com", nil, ErrInvalidInput},
		{"relative continue URL", ActionVerifyEmail, "ada@example.com", &ActionCodeSettings{URL: "/done"}, ErrInvalidInput},
		{"unknown email", ActionPasswordReset, "nobody@example.com", nil, ErrUserNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.EmailActionLink(ctx, tt.kind, tt.email, tt.settings)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("got %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestCancelledContext(t *testing.T) {
	f := newFakeToolkit(t)
	c := newTestClient(t, f)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.GetUser(ctx, "ada"); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}
