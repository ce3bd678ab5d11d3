// Package resend is a small client for the Resend email API
// (https://resend.com/docs/api-reference/emails/send-email): one call,
// POST /emails, on net/http.
//
// The official SDK discards the HTTP status of failed calls; this client keeps
// it (Error.StatusCode) together with the Retry-After header, so a caller can
// tell a throttled or failing service (429, 5xx) from a rejected message (4xx).
// Retries are left to the caller (package mail adds them); pass an idempotency
// key so that a retried call cannot send the email twice:
//
//	c := resend.New(os.Getenv("RESEND_API_KEY"), resend.Options{})
//	res, err := c.Send(ctx, &resend.Email{
//		From:    "Acme <hello@acme.test>",
//		To:      []string{"ada@example.com"},
//		Subject: "Hello",
//		HTML:    "<p>Hello Ada</p>",
//	}, resend.SendOptions{IdempotencyKey: "welcome/42"})
//	var apiErr *resend.Error
//	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusTooManyRequests {
//		// try again after apiErr.RetryAfter
//	}
package resend
