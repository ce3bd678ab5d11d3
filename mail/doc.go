// Package mail sends validated, templated email through a provider (Resend
// or Brevo), with retries and an optional background queue.
//
// The pieces:
//
//   - Message: one email, checked by Validate (go-playground/validator) before
//     anything is sent; a *ValidationError lists every problem.
//   - Templates: named html/template + text/template emails with layouts and
//     partials, loaded from an fs.FS (typically an embed.FS of the
//     application's own emails).
//   - Provider: one email service. ResendProvider and BrevoProvider wrap the
//     small clients in mail/resend and mail/brevo; Recorder keeps messages in
//     memory for tests. NewProviderFromConfig picks one by name.
//   - Sender: validates, renders and sends, retrying 429/5xx with
//     exponential backoff, jitter and Retry-After, with one idempotency key
//     across attempts; never retries a rejected (4xx) message.
//   - Queue: sends in the background so a request handler never waits; it
//     drains on Close and logs every email it could not deliver.
//
// Typical wiring in a server, with the application's templates embedded
// under emails/ and its configuration in cfg:
//
//	//go:embed emails
//	var emails embed.FS
//
//	sub, _ := fs.Sub(emails, "emails")
//	tpl, err := mail.NewTemplates(sub)
//	if err != nil {
//		log.Fatal(err)
//	}
//	sender, err := mail.NewSenderFromConfig(cfg, mail.SenderOptions{Templates: tpl})
//	if err != nil {
//		log.Fatal(err)
//	}
//	queue := mail.NewQueue(sender, mail.QueueOptions{})
//	defer queue.Close(shutdownCtx)
//
//	// in a handler; the error is already logged by the queue
//	_ = queue.Enqueue(&mail.Message{
//		To:       mail.AddressList{{Name: u.FirstName, Email: u.Email}},
//		Template: "welcome",
//		Data:     welcomeData{Username: u.Username, FirstName: u.FirstName},
//	})
package mail
