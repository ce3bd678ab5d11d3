// Command firestore is an example service that keeps per-user documents in
// Cloud Firestore through storage/firestore, with optimistic concurrency.
//
//	GET /api/v1/users/me/preferences   the caller's preferences; ETag: their version   (authenticated)
//	PUT /api/v1/users/me/preferences   {"theme": "dark", "language": "en", "notifications_enabled": true}
//
// A PUT without If-Match creates the document and fails with 409 when it
// exists; a PUT with If-Match: "<version>" (the ETag of the GET) updates it
// only if nobody changed it since (Firestore's currentDocument.updateTime
// precondition), else 409, and the client reads again and retries;
// If-Match: * overwrites whatever is stored. Each answer carries the new
// version in its body and ETag.
//
//	go run ./examples/firestore
//
// serves on :8804 with no credentials on an in-process fake of the Firestore
// REST API that keeps documents in memory. Set FIRESTORE_PROJECT_ID (with
// GOOGLE_APPLICATION_CREDENTIALS naming a service account key file, or
// Application Default Credentials; FIRESTORE_DATABASE for a database other
// than "(default)") to use Cloud Firestore, or FIRESTORE_EMULATOR_HOST
// (host:port) with FIRESTORE_PROJECT_ID to use the Firestore emulator. The
// common settings (PORT, DATABASE_URL, SECRET_KEY, rate limits) are those
// of examples/internal/exampleapp.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/groundwork-go/groundwork/examples/internal/exampleapp"
	"github.com/groundwork-go/groundwork/storage/firestore"
)

func main() {
	exampleapp.Main("firestore", 8804, setup)
}

// setup mounts the example's routes on app.
func setup(ctx context.Context, app *exampleapp.App) error {
	client, err := newClient(ctx, app.Env, app.Logger)
	if err != nil {
		return err
	}
	p := &preferences{docs: firestore.NewCollection[prefsDoc](client, "preferences")}
	app.Mux.Handle("GET "+exampleapp.APIPrefix+"/users/me/preferences", app.Authenticated(exampleapp.ForUser(p.get)))
	app.Mux.Handle("PUT "+exampleapp.APIPrefix+"/users/me/preferences", app.Authenticated(exampleapp.ForUser(p.put)))
	return nil
}

// newClient returns the Firestore client the environment configures, or
// one on the in-process fake.
//
//	FIRESTORE_PROJECT_ID            the Google Cloud project; switches to Firestore
//	FIRESTORE_DATABASE              the database id (default "(default)")
//	FIRESTORE_EMULATOR_HOST         host:port of the Firestore emulator (no credentials)
//	GOOGLE_APPLICATION_CREDENTIALS  service account key file (default: Application Default Credentials)
func newClient(ctx context.Context, env *exampleapp.Env, logger *slog.Logger) (*firestore.Client, error) {
	project := env.String("FIRESTORE_PROJECT_ID", "")
	opts := firestore.Options{DatabaseID: env.String("FIRESTORE_DATABASE", "")}
	emulator := env.String("FIRESTORE_EMULATOR_HOST", "")
	credsPath := env.String("GOOGLE_APPLICATION_CREDENTIALS", "")
	if emulator != "" {
		env.Required("FIRESTORE_PROJECT_ID", "with FIRESTORE_EMULATOR_HOST")
	}
	if err := env.Err(); err != nil {
		return nil, err
	}
	switch {
	case project == "":
		logger.Warn("FIRESTORE_PROJECT_ID is not set: documents live in an in-process fake of the Firestore REST API and die with the process")
		project, opts.Endpoint, opts.HTTPClient = "groundwork-local", fakeEndpoint, exampleapp.InProcessClient(newFakeFirestore())
	case emulator != "":
		logger.Info("using the Firestore emulator", "host", emulator, "project", project)
		opts.Endpoint, opts.HTTPClient = "http://"+emulator+"/", exampleapp.BearerClient("owner")
	default:
		if credsPath != "" {
			b, err := os.ReadFile(credsPath)
			if err != nil {
				return nil, fmt.Errorf("GOOGLE_APPLICATION_CREDENTIALS: %w", err)
			}
			opts.CredentialsJSON = b
		}
		logger.Info("using Cloud Firestore", "project", project)
	}
	return firestore.New(ctx, project, opts)
}
