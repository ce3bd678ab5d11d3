package main

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/groundwork-go/groundwork/examples/internal/exampleapp"
	"github.com/groundwork-go/groundwork/examples/internal/exampletest"
	"github.com/groundwork-go/groundwork/notify"
)

// startExample serves the example in its default mode (Recorder) on a
// database private to the test.
func startExample(t *testing.T) (*exampletest.Server, *recorder) {
	t.Helper()
	var rec *recorder
	srv, logs := exampletest.Build(t, "push", nil, func(ctx context.Context, app *exampleapp.App) (err error) {
		rec, err = setup(ctx, app)
		return err
	})
	if rec == nil || !strings.Contains(logs, "FCM_PROJECT_ID is not set") {
		t.Fatalf("got logs %q, want the default mode on the Recorder", logs)
	}
	return srv, rec
}

func registerDevice(t *testing.T, srv *exampletest.Server, token, deviceToken string) {
	t.Helper()
	var d device
	srv.Do(t, http.MethodPost, "/api/v1/devices", token, registerInput{Token: deviceToken, Platform: "android"}).Want(t, http.StatusCreated, &d)
	if d.Token != deviceToken || d.Platform != "android" {
		t.Fatalf("got device %+v, want %q on android", d, deviceToken)
	}
}

func deviceTokens(t *testing.T, srv *exampletest.Server, token string) []string {
	t.Helper()
	var out struct {
		Devices []device `json:"devices"`
	}
	srv.Do(t, http.MethodGet, "/api/v1/devices", token, nil).Want(t, http.StatusOK, &out)
	var toks []string
	for _, d := range out.Devices {
		toks = append(toks, d.Token)
	}
	slices.Sort(toks)
	return toks
}

func TestPushToDevices(t *testing.T) {
	srv, rec := startExample(t)
	user := srv.Signup(t)
	registerDevice(t, srv, user.AccessToken, "device-a:APA91b")
	registerDevice(t, srv, user.AccessToken, "device-b:APA91b")
	var res sendResult
	srv.Do(t, http.MethodPost, "/api/v1/notifications/test", user.AccessToken, testInput{Title: "Hello", Body: "From the test"}).
		Want(t, http.StatusOK, &res)
	if res != (sendResult{Sent: 2}) {
		t.Fatalf("got %+v, want 2 sent", res)
	}
	deliveries := rec.Deliveries()
	if len(deliveries) != 1 {
		t.Fatalf("got %d deliveries, want 1", len(deliveries))
	}
	got := deliveries[0].To.Tokens()
	slices.Sort(got)
	if !slices.Equal(got, []string{"device-a:APA91b", "device-b:APA91b"}) || deliveries[0].Message.Notification.Title != "Hello" {
		t.Fatalf("got delivery to %v of %+v, want both devices and the title", got, deliveries[0].Message.Notification)
	}
	// Another account registering a device takes it over; deleting works
	// only on one's own devices.
	other := srv.Signup(t)
	registerDevice(t, srv, other.AccessToken, "device-b:APA91b")
	if got := deviceTokens(t, srv, user.AccessToken); !slices.Equal(got, []string{"device-a:APA91b"}) {
		t.Fatalf("got devices %v, want device-b moved to the other account", got)
	}
	srv.Do(t, http.MethodDelete, "/api/v1/devices/device-b:APA91b", user.AccessToken, nil).WantError(t, http.StatusNotFound, "NOT_FOUND")
	srv.Do(t, http.MethodDelete, "/api/v1/devices/device-a:APA91b", user.AccessToken, nil).Want(t, http.StatusNoContent, nil)
	if got := deviceTokens(t, srv, user.AccessToken); len(got) != 0 {
		t.Fatalf("got devices %v after delete, want none", got)
	}
	srv.Do(t, http.MethodPost, "/api/v1/notifications/test", user.AccessToken, testInput{}).WantError(t, http.StatusConflict, "CONFLICT")
}

func TestDeadTokenRemoved(t *testing.T) {
	srv, rec := startExample(t)
	user := srv.Signup(t)
	registerDevice(t, srv, user.AccessToken, "live-token")
	registerDevice(t, srv, user.AccessToken, "uninstalled-token")
	registerDevice(t, srv, user.AccessToken, "invalid-token")
	// The development route does what FCM does for an uninstalled app.
	srv.Do(t, http.MethodPost, "/dev/push/dead-tokens", "", map[string]string{"token": "uninstalled-token"}).Want(t, http.StatusNoContent, nil)
	rec.FailToken("invalid-token", notify.ErrInvalidToken)

	var res sendResult
	srv.Do(t, http.MethodPost, "/api/v1/notifications/test", user.AccessToken, testInput{}).Want(t, http.StatusOK, &res)
	if res != (sendResult{Sent: 1, Failed: 2, Removed: 2}) {
		t.Fatalf("got %+v, want 1 sent and the 2 dead tokens removed", res)
	}
	if got := deviceTokens(t, srv, user.AccessToken); !slices.Equal(got, []string{"live-token"}) {
		t.Fatalf("got devices %v, want only the live token", got)
	}
	// The next send tries the live token only.
	srv.Do(t, http.MethodPost, "/api/v1/notifications/test", user.AccessToken, testInput{}).Want(t, http.StatusOK, &res)
	deliveries := rec.Deliveries()
	if last := deliveries[len(deliveries)-1].To.Tokens(); !slices.Equal(last, []string{"live-token"}) || res != (sendResult{Sent: 1}) {
		t.Fatalf("got second send to %v with %+v, want the live token alone", last, res)
	}
}

func TestPushRejections(t *testing.T) {
	srv, rec := startExample(t)
	user := srv.Signup(t)
	for _, route := range []struct{ method, path string }{
		{http.MethodPost, "/api/v1/devices"}, {http.MethodGet, "/api/v1/devices"},
		{http.MethodDelete, "/api/v1/devices/x"}, {http.MethodPost, "/api/v1/notifications/test"},
	} {
		srv.Do(t, route.method, route.path, "", map[string]string{}).WantError(t, http.StatusUnauthorized, "UNAUTHORIZED")
	}
	tests := []struct {
		name  string
		body  any
		field string
	}{
		{"no token", registerInput{Platform: "ios"}, "token"},
		{"unknown platform", registerInput{Token: "t", Platform: "symbian"}, "platform"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.Do(t, http.MethodPost, "/api/v1/devices", user.AccessToken, tt.body).WantValidation(t, tt.field)
		})
	}
	srv.Do(t, http.MethodPost, "/api/v1/notifications/test", user.AccessToken, testInput{Title: strings.Repeat("x", 201)}).WantValidation(t, "title")
	if n := len(rec.Deliveries()); n != 0 {
		t.Fatalf("got %d deliveries after rejected requests, want 0", n)
	}
}
