package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/groundwork-go/groundwork/examples/internal/exampleapp"
	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/notify"
	"github.com/groundwork-go/groundwork/notify/fcm"
)

// newSender returns the FCM sender FCM_PROJECT_ID configures or, when it is
// unset, notify's in-memory Recorder.
//
//	FCM_PROJECT_ID                  the Firebase project; switches to FCM
//	GOOGLE_APPLICATION_CREDENTIALS  service account key file (default: Application Default Credentials)
func newSender(ctx context.Context, env *exampleapp.Env, logger *slog.Logger) (notify.Sender, *recorder, error) {
	project := env.String("FCM_PROJECT_ID", "")
	credsPath := env.String("GOOGLE_APPLICATION_CREDENTIALS", "")
	if err := env.Err(); err != nil {
		return nil, nil, err
	}
	if project == "" {
		logger.Warn("FCM_PROJECT_ID is not set: pushes go to notify's in-memory Recorder; " +
			"POST /dev/push/dead-tokens makes it report a token unregistered")
		rec := &recorder{Recorder: notify.NewRecorder()}
		return rec, rec, nil
	}
	cfg := fcm.Config{}
	if credsPath != "" {
		b, err := os.ReadFile(credsPath)
		if err != nil {
			return nil, nil, fmt.Errorf("GOOGLE_APPLICATION_CREDENTIALS: %w", err)
		}
		cfg.CredentialsJSON = b
	}
	s, err := fcm.New(ctx, project, cfg)
	if err != nil {
		return nil, nil, err
	}
	logger.Info("sending pushes through Firebase Cloud Messaging", "project", project)
	return s, nil, nil
}

// recorder is the default sender, with the development route that makes a
// token dead.
type recorder struct {
	*notify.Recorder
}

// markDead serves POST /dev/push/dead-tokens: later sends to the token fail
// with notify.ErrUnregistered, as FCM answers for an uninstalled app.
func (r *recorder) markDead(w http.ResponseWriter, req *http.Request) {
	var in struct {
		Token string `json:"token" validate:"required,max=4096"`
	}
	if err := httpx.Decode(w, req, &in); err != nil {
		httpx.WriteError(w, req, err)
		return
	}
	r.FailToken(in.Token, notify.ErrUnregistered)
	w.WriteHeader(http.StatusNoContent)
}
