package mail

import "time"

// Limits enforced by Validate.
const (
	// MaxRecipients bounds each of To, Cc and Bcc (the providers' limit).
	MaxRecipients = 50
	// MaxAttachmentBytes bounds the total size of a message's attachments
	// before base64 encoding (providers cap the encoded request at 40 MB
	// for Resend and ~20 MB for Brevo).
	MaxAttachmentBytes = 10 << 20
	// MaxIdempotencyKeyLen bounds Message.IdempotencyKey (Resend's limit).
	MaxIdempotencyKeyLen = 256
)

// Message is one email. Fill in either Template (with Data) or HTML and/or
// Text, never both forms; Validate checks this and everything else before
// anything is sent. The JSON form uses the snake_case names of the fields.
type Message struct {
	// From is the sender. Optional when the Sender has a DefaultFrom.
	From Address `json:"from"`
	// To lists the recipients: at least one, at most MaxRecipients.
	To AddressList `json:"to" validate:"min=1,max=50,dive"`
	// Cc lists the carbon-copy recipients.
	Cc AddressList `json:"cc,omitempty" validate:"max=50,dive"`
	// Bcc lists the blind carbon-copy recipients.
	Bcc AddressList `json:"bcc,omitempty" validate:"max=50,dive"`
	// ReplyTo is where replies go. Optional.
	ReplyTo *Address `json:"reply_to,omitempty"`
	// Subject is the subject line. Required unless the template has a
	// subject; when both are set, Subject wins.
	Subject string `json:"subject,omitempty" validate:"max=998,nocrlf"`
	// Template names a template of the Sender's Templates, e.g. "welcome".
	Template string `json:"template,omitempty" validate:"max=200"`
	// Data is the template's data (a struct or map).
	Data any `json:"data,omitempty"`
	// HTML is the HTML body.
	HTML string `json:"html,omitempty"`
	// Text is the plain-text body.
	Text string `json:"text,omitempty"`
	// Attachments are files sent with the message; together at most
	// MaxAttachmentBytes.
	Attachments []Attachment `json:"attachments,omitempty" validate:"max=20,dive"`
	// Headers are extra email headers. Names must be header tokens and
	// values must not contain CR or LF; address and subject headers are
	// set through their fields, not here.
	Headers map[string]string `json:"headers,omitempty" validate:"max=50,dive,keys,header_name,endkeys,max=998,nocrlf"`
	// Tags label the message at the provider.
	Tags []Tag `json:"tags,omitempty" validate:"max=20,dive"`
	// ScheduledAt asks the provider to deliver later. Zero sends now.
	ScheduledAt time.Time `json:"scheduled_at,omitzero"`
	// IdempotencyKey makes retries safe: the provider sends a key once. When
	// empty, the Sender generates a random one per Send, shared by that
	// Send's retries. Set it (e.g. "welcome/<user id>") to also deduplicate
	// separate Send calls.
	IdempotencyKey string `json:"idempotency_key,omitempty" validate:"max=256,nocrlf"`
}

// Attachment is a file sent with a message.
type Attachment struct {
	// Filename is the name shown to the recipient, e.g. "invoice.pdf".
	Filename string `json:"filename" validate:"required,max=255,nocrlf,excludesall=/\\"`
	// ContentType is the media type, e.g. "application/pdf". Optional: the
	// provider derives it from Filename. Brevo always derives it.
	ContentType string `json:"content_type,omitempty" validate:"omitempty,max=255,media_type"`
	// Content is the file's bytes (base64 in JSON).
	Content []byte `json:"content" validate:"min=1"`
}

// Tag is a name/value label attached to a message at the provider. Both
// may contain only ASCII letters, digits, "_" and "-". Brevo, whose tags are
// plain strings, receives "name:value" (or just the name when Value is empty).
type Tag struct {
	// Name is the tag's name.
	Name string `json:"name" validate:"required,max=256,tag_chars"`
	// Value is the tag's value. Optional.
	Value string `json:"value,omitempty" validate:"max=256,tag_chars"`
}
