package notify

import (
	"maps"
	"time"
)

// Priority is the delivery priority of a message.
type Priority int

const (
	// PriorityDefault leaves the priority to the platform (normal for most).
	PriorityDefault Priority = iota
	// PriorityNormal delivers when convenient for the device's battery.
	PriorityNormal
	// PriorityHigh wakes the device and delivers immediately.
	PriorityHigh
)

// String returns "default", "normal" or "high".
func (p Priority) String() string {
	switch p {
	case PriorityDefault:
		return "default"
	case PriorityNormal:
		return "normal"
	case PriorityHigh:
		return "high"
	}
	return "invalid"
}

// Message is a push message. At least one of Notification, Data or
// APNS.ContentAvailable must be set.
type Message struct {
	// Notification is the user-visible part, nil for a data-only message.
	Notification *Notification
	// Data is delivered to the app as key/value pairs. Keys must not be
	// "from", "message_type" or start with "google" or "gcm".
	Data map[string]string
	// Android holds Android-specific options, nil for none.
	Android *AndroidOptions
	// APNS holds Apple Push Notification service options, nil for none.
	APNS *APNSOptions
	// WebPush holds web push options, nil for none.
	WebPush *WebPushOptions
	// TTL is how long the message is kept for an offline device. Zero means
	// the platform default (4 weeks); at most MaxTTL.
	TTL time.Duration
	// Priority is the delivery priority. Default PriorityDefault.
	Priority Priority
	// CollapseKey groups messages of which only the latest is delivered to a
	// device that was offline. Empty for none.
	CollapseKey string
}

// Notification is the user-visible part of a message.
type Notification struct {
	// Title is the notification title.
	Title string
	// Body is the notification text.
	Body string
	// ImageURL is an absolute http(s) URL of an image to show, empty for none.
	ImageURL string
}

// AndroidOptions are Android-specific settings.
type AndroidOptions struct {
	// ChannelID is the notification channel, empty for the app's default.
	ChannelID string
	// Icon is the drawable resource name of the icon, empty for the default.
	Icon string
	// Color is the icon colour as #rrggbb, empty for the default.
	Color string
	// Sound is the sound to play, empty for none; "default" for the default sound.
	Sound string
	// Tag replaces an existing notification with the same tag.
	Tag string
	// ClickAction is the intent action started when the user taps the notification.
	ClickAction string
}

// APNSOptions are Apple Push Notification service settings.
type APNSOptions struct {
	// Badge sets the app icon badge; nil leaves it unchanged.
	Badge *int
	// Sound is the sound to play, empty for none; "default" for the default sound.
	Sound string
	// Category is the notification category for actionable notifications.
	Category string
	// ThreadID groups notifications.
	ThreadID string
	// ContentAvailable wakes the app in the background (silent push).
	ContentAvailable bool
	// MutableContent lets a notification service extension modify the content.
	MutableContent bool
	// Headers are extra APNs request headers, for example "apns-push-type".
	Headers map[string]string
}

// WebPushOptions are web push settings.
type WebPushOptions struct {
	// Icon is the URL of the notification icon.
	Icon string
	// Link is the https URL opened when the user clicks the notification.
	Link string
	// Headers are extra web push headers, for example "Urgency".
	Headers map[string]string
}

// clone returns a deep copy of m, so a recorded message cannot change later.
func (m *Message) clone() *Message {
	c := *m
	c.Data = maps.Clone(m.Data)
	if m.Notification != nil {
		n := *m.Notification
		c.Notification = &n
	}
	if m.Android != nil {
		a := *m.Android
		c.Android = &a
	}
	if m.APNS != nil {
		a := *m.APNS
		if m.APNS.Badge != nil {
			b := *m.APNS.Badge
			a.Badge = &b
		}
		a.Headers = maps.Clone(m.APNS.Headers)
		c.APNS = &a
	}
	if m.WebPush != nil {
		w := *m.WebPush
		w.Headers = maps.Clone(m.WebPush.Headers)
		c.WebPush = &w
	}
	return &c
}
