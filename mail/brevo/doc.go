// Package brevo is a small client for Brevo's transactional email API
// (https://developers.brevo.com/reference/send-transac-email): one call,
// POST /v3/smtp/email, on net/http, instead of the ~40k-line generated SDK.
//
// Failed calls keep their HTTP status (Error.StatusCode) and Retry-After
// header, so a caller can tell a throttled or failing service (429, 5xx) from
// a rejected message (4xx). Retries are left to the caller (package mail adds
// them); pass an idempotency key so that a retried call cannot send twice:
//
//	c := brevo.New(os.Getenv("BREVO_API_KEY"), brevo.Options{})
//	res, err := c.Send(ctx, &brevo.Email{
//		Sender:      &brevo.Contact{Name: "Acme", Email: "hello@acme.test"},
//		To:          []brevo.Contact{{Email: "ada@example.com"}},
//		Subject:     "Hello",
//		HTMLContent: "<p>Hello Ada</p>",
//	}, brevo.SendOptions{IdempotencyKey: "0b9f3c1e-3c0d-4b8e-9a57-2f1d9c1b7a44"})
package brevo
