package resend

// Email is the body of POST /emails. Address fields take "email@example.com"
// or "Name <email@example.com>".
type Email struct {
	// From is the sender; its domain must be verified at Resend.
	From string `json:"from"`
	// To lists the recipients (at most 50).
	To []string `json:"to"`
	// Subject is the subject line.
	Subject string `json:"subject"`
	// Cc lists the carbon-copy recipients.
	Cc []string `json:"cc,omitempty"`
	// Bcc lists the blind carbon-copy recipients.
	Bcc []string `json:"bcc,omitempty"`
	// ReplyTo lists the reply-to addresses.
	ReplyTo []string `json:"reply_to,omitempty"`
	// HTML is the HTML body.
	HTML string `json:"html,omitempty"`
	// Text is the plain-text body.
	Text string `json:"text,omitempty"`
	// Headers are extra email headers.
	Headers map[string]string `json:"headers,omitempty"`
	// Attachments are sent inline as base64 content.
	Attachments []Attachment `json:"attachments,omitempty"`
	// Tags label the email for webhooks and the dashboard.
	Tags []Tag `json:"tags,omitempty"`
	// ScheduledAt delays delivery; ISO 8601 (RFC 3339) time.
	ScheduledAt string `json:"scheduled_at,omitempty"`
}

// Attachment is a file sent with the email.
type Attachment struct {
	// Filename is the name shown to the recipient.
	Filename string `json:"filename"`
	// Content is the file's bytes; JSON-encoded as standard base64.
	Content []byte `json:"content"`
	// ContentType is the media type. Default: derived from Filename by Resend.
	ContentType string `json:"content_type,omitempty"`
}

// Tag is a name/value label. Both may contain only ASCII letters, digits,
// underscores and dashes.
type Tag struct {
	// Name is the tag's name.
	Name string `json:"name"`
	// Value is the tag's value.
	Value string `json:"value,omitempty"`
}
