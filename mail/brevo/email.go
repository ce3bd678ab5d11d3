package brevo

// Email is the body of POST /v3/smtp/email for an email with inline content
// (this client does not use Brevo-side templates or message versions).
type Email struct {
	// Sender is the from address; it must be a sender verified at Brevo.
	Sender *Contact `json:"sender"`
	// To lists the recipients.
	To []Contact `json:"to"`
	// Cc lists the carbon-copy recipients.
	Cc []Contact `json:"cc,omitempty"`
	// Bcc lists the blind carbon-copy recipients.
	Bcc []Contact `json:"bcc,omitempty"`
	// ReplyTo is the reply-to address.
	ReplyTo *Contact `json:"replyTo,omitempty"`
	// Subject is the subject line.
	Subject string `json:"subject"`
	// HTMLContent is the HTML body.
	HTMLContent string `json:"htmlContent,omitempty"`
	// TextContent is the plain-text body.
	TextContent string `json:"textContent,omitempty"`
	// Attachment lists files sent inline as base64 content.
	Attachment []Attachment `json:"attachment,omitempty"`
	// Headers are extra email headers (and Brevo directives such as
	// "idempotencyKey").
	Headers map[string]string `json:"headers,omitempty"`
	// Tags label the email in Brevo's logs and webhooks.
	Tags []string `json:"tags,omitempty"`
	// ScheduledAt delays delivery; RFC 3339 time with milliseconds, in UTC.
	ScheduledAt string `json:"scheduledAt,omitempty"`
}

// Contact is an email address with an optional display name.
type Contact struct {
	// Email is the address.
	Email string `json:"email"`
	// Name is the display name.
	Name string `json:"name,omitempty"`
}

// Attachment is a file sent with the email. Brevo derives the media type
// from the name's extension and accepts only a fixed list of extensions.
type Attachment struct {
	// Name is the file name shown to the recipient.
	Name string `json:"name"`
	// Content is the file's bytes; JSON-encoded as standard base64.
	Content []byte `json:"content"`
}
