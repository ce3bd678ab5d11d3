package main

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"

	"github.com/groundwork-go/groundwork/examples/internal/exampleapp"
	"github.com/groundwork-go/groundwork/iap/appstore"
)

// mockBundleID is the bundle id of the default (mock) mode.
const mockBundleID = "com.example.groundwork"

// newVerifier returns the verifier APPLE_ROOT_CERT configures or, when it is
// unset, one trusting a freshly generated mock root, with the mock store
// that signs for it.
//
//	APPLE_ROOT_CERT      path to AppleRootCA-G3.cer (DER or PEM); switches to Apple's data
//	APPLE_BUNDLE_ID      the app's bundle id (required with APPLE_ROOT_CERT)
//	APPLE_ENVIRONMENT    Production or Sandbox (default Production with APPLE_ROOT_CERT)
//	APPLE_APP_APPLE_ID   the app's Apple id (required in Production)
//	APPLE_ONLINE_CHECKS  "true" to check certificate revocation over OCSP
func newVerifier(env *exampleapp.Env, logger *slog.Logger, client *http.Client) (*appstore.Verifier, *devRoutes, error) {
	rootPath := env.String("APPLE_ROOT_CERT", "")
	if rootPath == "" {
		mock, err := newMockStore()
		if err != nil {
			return nil, nil, err
		}
		v, err := appstore.NewVerifier([]*x509.Certificate{mock.root}, mockBundleID, appstore.Sandbox, appstore.VerifierOptions{})
		if err != nil {
			return nil, nil, err
		}
		logger.Warn("APPLE_ROOT_CERT is not set: verifying App Store data against a mock root generated at start " +
			"(Sandbox, bundle " + mockBundleID + "); mint data with POST /dev/appstore/transactions and /dev/appstore/notifications")
		return v, &devRoutes{mock: mock, bundleID: mockBundleID}, nil
	}
	bundleID := env.Required("APPLE_BUNDLE_ID", "with APPLE_ROOT_CERT")
	environment := appstore.Environment(env.OneOf("APPLE_ENVIRONMENT", string(appstore.Production), string(appstore.Production), string(appstore.Sandbox)))
	appAppleID := int64(env.Int("APPLE_APP_APPLE_ID", 0, 0, 1<<62))
	online := env.OneOf("APPLE_ONLINE_CHECKS", "false", "true", "false") == "true"
	if err := env.Err(); err != nil {
		return nil, nil, err
	}
	root, err := readCertificate(rootPath)
	if err != nil {
		return nil, nil, fmt.Errorf("APPLE_ROOT_CERT: %w", err)
	}
	v, err := appstore.NewVerifier([]*x509.Certificate{root}, bundleID, environment,
		appstore.VerifierOptions{AppAppleID: appAppleID, EnableOnlineChecks: online, HTTPClient: client})
	if err != nil {
		return nil, nil, err
	}
	logger.Info("verifying App Store data against the configured root", "bundle_id", bundleID,
		"environment", environment, "app_apple_id", strconv.FormatInt(appAppleID, 10), "online_checks", online)
	return v, nil, nil
}

// readCertificate reads one certificate in DER (Apple's .cer) or PEM.
func readCertificate(path string) (*x509.Certificate, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if b, _ := pem.Decode(raw); b != nil {
		raw = b.Bytes
	}
	return x509.ParseCertificate(raw)
}
