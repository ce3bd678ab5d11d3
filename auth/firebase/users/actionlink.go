package users

import (
	"context"
	"fmt"
	"net/url"

	identitytoolkit "google.golang.org/api/identitytoolkit/v1"
)

// ActionKind selects the kind of email action link.
type ActionKind string

// The email action links the API can generate.
const (
	// ActionPasswordReset links to the password reset flow.
	ActionPasswordReset ActionKind = "PASSWORD_RESET"
	// ActionVerifyEmail links to email verification.
	ActionVerifyEmail ActionKind = "VERIFY_EMAIL"
	// ActionEmailSignIn links to passwordless sign-in; it needs
	// ActionCodeSettings with a URL and HandleCodeInApp set.
	ActionEmailSignIn ActionKind = "EMAIL_SIGNIN"
)

// ActionCodeSettings says where an email action link continues.
type ActionCodeSettings struct {
	// URL is the continue URL after the action. Required for ActionEmailSignIn.
	URL string
	// HandleCodeInApp opens the link in the mobile app instead of the web.
	HandleCodeInApp bool
	// IOSBundleID is the iOS app to open.
	IOSBundleID string
	// AndroidPackageName is the Android app to open.
	AndroidPackageName string
	// AndroidInstallApp installs the Android app when missing.
	AndroidInstallApp bool
	// AndroidMinimumVersion is the minimum Android app version.
	AndroidMinimumVersion string
	// LinkDomain is a custom Firebase Hosting domain for the link.
	LinkDomain string
}

// EmailActionLink generates an email action link for email without sending
// an email, so the application can send it with its own templates. settings
// may be nil except for ActionEmailSignIn. It is not retried: every request
// mints a new one-time code.
func (c *Client) EmailActionLink(ctx context.Context, kind ActionKind, email string, settings *ActionCodeSettings) (string, error) {
	req, err := oobRequest(kind, email, settings)
	if err != nil {
		return "", fmt.Errorf("firebase users: email action link: %w", err)
	}
	var resp *identitytoolkit.GoogleCloudIdentitytoolkitV1GetOobCodeResponse
	err = c.call(ctx, "email action link", false, func(ctx context.Context, _ int) (err error) {
		resp, err = c.accounts.SendOobCode(c.projectID, req).Context(ctx).Do()
		return err
	})
	if err != nil {
		return "", err
	}
	return resp.OobLink, nil
}

// oobRequest validates the arguments and builds the sendOobCode request.
func oobRequest(kind ActionKind, email string, s *ActionCodeSettings) (*identitytoolkit.GoogleCloudIdentitytoolkitV1GetOobCodeRequest, error) {
	switch kind {
	case ActionPasswordReset, ActionVerifyEmail, ActionEmailSignIn:
	default:
		return nil, fmt.Errorf("%w: unknown action %q", ErrInvalidInput, kind)
	}
	if email == "" {
		return nil, fmt.Errorf("%w: empty email", ErrInvalidInput)
	}
	if kind == ActionEmailSignIn && (s == nil || s.URL == "" || !s.HandleCodeInApp) {
		return nil, fmt.Errorf("%w: email sign-in needs settings with a URL and HandleCodeInApp", ErrInvalidInput)
	}
	req := &identitytoolkit.GoogleCloudIdentitytoolkitV1GetOobCodeRequest{
		RequestType:   string(kind),
		Email:         email,
		ReturnOobLink: true,
	}
	if s == nil {
		return req, nil
	}
	if s.URL != "" {
		if u, err := url.Parse(s.URL); err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("%w: continue URL %q is not absolute", ErrInvalidInput, s.URL)
		}
	}
	req.ContinueUrl = s.URL
	req.CanHandleCodeInApp = s.HandleCodeInApp
	req.IOSBundleId = s.IOSBundleID
	req.AndroidPackageName = s.AndroidPackageName
	req.AndroidInstallApp = s.AndroidInstallApp
	req.AndroidMinimumVersion = s.AndroidMinimumVersion
	req.LinkDomain = s.LinkDomain
	return req, nil
}
