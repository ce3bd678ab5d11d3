package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/groundwork-go/groundwork/auth/firebase"
	"github.com/groundwork-go/groundwork/examples/internal/exampleapp"
)

// idTokenVerifier is the part of *firebase.Verifier the sign-in uses.
type idTokenVerifier interface {
	VerifyIDToken(ctx context.Context, raw string) (*firebase.Token, error)
}

// localProject is the project id of the locally generated keys.
const localProject = "groundwork-local"

// newVerifier returns the verifier for FIREBASE_PROJECT_ID, or, when it is
// unset, one for locally generated keys together with the fake key endpoint
// that serves them and mints tokens.
func newVerifier(env *exampleapp.Env, logger *slog.Logger, client *http.Client) (idTokenVerifier, *fakeKeys, error) {
	project := env.String("FIREBASE_PROJECT_ID", "")
	if err := env.Err(); err != nil {
		return nil, nil, err
	}
	if project != "" {
		v, err := firebase.NewVerifier(project, firebase.Config{HTTPClient: client})
		logger.Info("verifying Firebase ID tokens against Google's keys", "project", project)
		return v, nil, err
	}
	fake, err := newFakeKeys(localProject)
	if err != nil {
		return nil, nil, err
	}
	v, err := firebase.NewVerifier(localProject, firebase.Config{HTTPClient: exampleapp.InProcessClient(fake), KeysURL: fakeKeysURL})
	if err != nil {
		return nil, nil, err
	}
	logger.Warn("FIREBASE_PROJECT_ID is not set: verifying ID tokens against locally generated keys " +
		"(in-process fake key endpoint); mint one with POST /dev/firebase/id-token")
	return v, fake, nil
}
