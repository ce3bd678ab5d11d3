package notify

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Limits enforced by Validate. They follow Firebase Cloud Messaging's.
const (
	// MaxTokens is the most tokens one Send may address.
	MaxTokens = 500
	// MaxTopicTokens is the most tokens one Subscribe or Unsubscribe may name.
	MaxTopicTokens = 1000
	// MaxPayloadBytes bounds PayloadSize.
	MaxPayloadBytes = 4096
	// MaxTTL is the longest time a message may be kept for an offline device.
	MaxTTL = 28 * 24 * time.Hour
	// MaxConditionTopics is the most topics a condition may name.
	MaxConditionTopics = 5
)

var (
	topicPattern     = regexp.MustCompile(`^[a-zA-Z0-9\-_.~%]{1,900}$`)
	conditionTopic   = regexp.MustCompile(`'[^']*'\s+in\s+topics`)
	colorPattern     = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	reservedDataKeys = map[string]bool{"from": true, "message_type": true, "notification": true}
)

// Validate checks that msg can be sent to to: a well-formed target, content
// present, data keys allowed, TTL, priority and URLs valid, and the payload no
// larger than MaxPayloadBytes. Errors wrap ErrInvalidMessage (and
// ErrPayloadTooLarge for an oversized payload).
func Validate(to Target, msg *Message) error {
	if err := validateTarget(to); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidMessage, err)
	}
	if err := validateMessage(msg); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidMessage, err)
	}
	if n := PayloadSize(msg); n > MaxPayloadBytes {
		return fmt.Errorf("%w: %w: %d bytes, limit %d", ErrInvalidMessage, ErrPayloadTooLarge, n, MaxPayloadBytes)
	}
	return nil
}

// ValidateTopic checks a topic name (without or with the "/topics/" prefix).
func ValidateTopic(topic string) error {
	if err := checkTopic(topic); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidMessage, err)
	}
	return nil
}

// ValidateTokens checks a token list: 1 to max non-empty, distinct tokens.
func ValidateTokens(tokens []string, max int) error {
	if err := checkTokens(tokens, max); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidMessage, err)
	}
	return nil
}

// checkTopic implements ValidateTopic.
func checkTopic(topic string) error {
	if !topicPattern.MatchString(strings.TrimPrefix(topic, "/topics/")) {
		return fmt.Errorf("topic %q must match [a-zA-Z0-9-_.~%%]{1,900}", topic)
	}
	return nil
}

// checkTokens implements ValidateTokens.
func checkTokens(tokens []string, max int) error {
	if len(tokens) == 0 || len(tokens) > max {
		return fmt.Errorf("%d tokens, want 1 to %d", len(tokens), max)
	}
	seen := make(map[string]bool, len(tokens))
	for i, t := range tokens {
		if strings.TrimSpace(t) == "" {
			return fmt.Errorf("token %d is empty", i)
		}
		if seen[t] {
			return fmt.Errorf("token %d (%s) is repeated", i, ShortToken(t))
		}
		seen[t] = true
	}
	return nil
}

// validateTarget checks the target of a send.
func validateTarget(to Target) error {
	switch to.kind {
	case KindTokens:
		return checkTokens(to.tokens, MaxTokens)
	case KindTopic:
		return checkTopic(to.topic)
	case KindCondition:
		n := len(conditionTopic.FindAllString(to.condition, -1))
		if n == 0 || n > MaxConditionTopics {
			return fmt.Errorf("condition must name 1 to %d topics as 'name' in topics", MaxConditionTopics)
		}
		return nil
	}
	return errors.New("no target: use ToToken, ToTokens, ToTopic or ToCondition")
}

// validateMessage checks the content and options of msg.
func validateMessage(m *Message) error {
	if m == nil {
		return errors.New("nil message")
	}
	if m.Notification == nil && len(m.Data) == 0 && (m.APNS == nil || !m.APNS.ContentAvailable) {
		return errors.New("message has no notification, data or content-available flag")
	}
	for k := range m.Data {
		lk := strings.ToLower(k)
		if k == "" || reservedDataKeys[lk] || strings.HasPrefix(lk, "google") || strings.HasPrefix(lk, "gcm") {
			return fmt.Errorf("data key %q is empty or reserved", k)
		}
	}
	if m.TTL < 0 || m.TTL > MaxTTL {
		return fmt.Errorf("TTL %v outside 0 to %v", m.TTL, MaxTTL)
	}
	if m.Priority < PriorityDefault || m.Priority > PriorityHigh {
		return fmt.Errorf("unknown priority %d", m.Priority)
	}
	return validateOptions(m)
}

// validateOptions checks the notification and per-platform options.
func validateOptions(m *Message) error {
	if n := m.Notification; n != nil && n.ImageURL != "" && !isWebURL(n.ImageURL, false) {
		return fmt.Errorf("image URL %q is not an absolute http(s) URL", n.ImageURL)
	}
	if a := m.Android; a != nil && a.Color != "" && !colorPattern.MatchString(a.Color) {
		return fmt.Errorf("android color %q is not #rrggbb", a.Color)
	}
	if a := m.APNS; a != nil && a.Badge != nil && *a.Badge < 0 {
		return fmt.Errorf("apns badge %d is negative", *a.Badge)
	}
	if w := m.WebPush; w != nil && w.Link != "" && !isWebURL(w.Link, true) {
		return fmt.Errorf("web push link %q is not an absolute https URL", w.Link)
	}
	return nil
}

// isWebURL reports whether s is an absolute http(s) URL (https only when httpsOnly).
func isWebURL(s string, httpsOnly bool) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return false
	}
	return u.Scheme == "https" || (!httpsOnly && u.Scheme == "http")
}

// payload is the content whose size the providers limit, in FCM's field names.
type payload struct {
	Notification *Notification     `json:"notification,omitempty"`
	Data         map[string]string `json:"data,omitempty"`
	Android      *AndroidOptions   `json:"android,omitempty"`
	APNS         *APNSOptions      `json:"apns,omitempty"`
	WebPush      *WebPushOptions   `json:"webpush,omitempty"`
}

// PayloadSize returns the size in bytes of the JSON encoding of msg's content:
// notification, data and per-platform options (not the target or delivery
// options). FCM limits this to 4096 bytes.
func PayloadSize(msg *Message) int {
	b, err := json.Marshal(payload{msg.Notification, msg.Data, msg.Android, msg.APNS, msg.WebPush})
	if err != nil {
		return 0 // unreachable: every field is a string, bool, int or string map
	}
	return len(b)
}
