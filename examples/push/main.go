// Command push is an example service that sends push notifications to its
// users' devices through notify.
//
//	POST   /api/v1/devices              {"token": "<FCM registration token>", "platform": "android"}  (authenticated)
//	GET    /api/v1/devices              the caller's devices                                          (authenticated)
//	DELETE /api/v1/devices/{token}      forget one of the caller's devices                            (authenticated)
//	POST   /api/v1/notifications/test   {"title": "…", "body": "…"}: push to all the caller's devices (authenticated)
//
// The app registers the token its FCM SDK gives it after every sign-in and
// token refresh; a token registered again by another account moves to that
// account (the device changed hands). When FCM reports a token dead
// (unregistered or invalid), the send removes it, so the next send does not
// try it again.
//
//	go run ./examples/push
//
// serves on :8803 with no credentials: pushes go to notify's Recorder, which
// validates each message as FCM would and keeps it in memory;
// POST /dev/push/dead-tokens {"token": "…"} makes the recorder report a token
// unregistered, as FCM does for an uninstalled app. Set FCM_PROJECT_ID (with
// GOOGLE_APPLICATION_CREDENTIALS naming a service account key file, or
// Application Default Credentials) to send through Firebase Cloud Messaging;
// the development route is then not mounted. The common settings (PORT,
// DATABASE_URL, SECRET_KEY, rate limits) are those of
// examples/internal/exampleapp.
package main

import (
	"context"
	"net/http"

	"github.com/groundwork-go/groundwork/examples/internal/exampleapp"
)

func main() {
	exampleapp.Main("push", 8803, func(ctx context.Context, app *exampleapp.App) error {
		_, err := setup(ctx, app)
		return err
	})
}

// setup mounts the example's routes on app. It returns the recorder in the
// default mode, nil otherwise.
func setup(ctx context.Context, app *exampleapp.App) (*recorder, error) {
	sender, rec, err := newSender(ctx, app.Env, app.Logger)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, app.DB); err != nil {
		return nil, err
	}
	p := &push{sender: sender, devices: &devices{db: app.DB}, logger: app.Logger}
	app.Mux.Handle("POST "+exampleapp.APIPrefix+"/devices", app.Authenticated(exampleapp.ForUser(p.register)))
	app.Mux.Handle("GET "+exampleapp.APIPrefix+"/devices", app.Authenticated(exampleapp.ForUser(p.list)))
	app.Mux.Handle("DELETE "+exampleapp.APIPrefix+"/devices/{token}", app.Authenticated(exampleapp.ForUser(p.remove)))
	app.Mux.Handle("POST "+exampleapp.APIPrefix+"/notifications/test", app.Authenticated(exampleapp.ForUser(p.sendTest)))
	if rec != nil {
		app.Mux.Handle("POST /dev/push/dead-tokens", app.StrictlyLimited(http.HandlerFunc(rec.markDead)))
	}
	return rec, nil
}
