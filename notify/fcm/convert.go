package fcm

import (
	"maps"
	"strconv"
	"time"

	"firebase.google.com/go/v4/messaging"

	"github.com/groundwork-go/groundwork/notify"
)

// toMessage converts a validated notify.Message into an FCM message without
// a target. Delivery options become each platform's own settings: Android's
// ttl, priority and collapse_key; the APNs headers apns-expiration,
// apns-priority, apns-push-type and apns-collapse-id; the web push headers
// TTL and Urgency.
func toMessage(m *notify.Message, now time.Time) *messaging.Message {
	out := &messaging.Message{Data: maps.Clone(m.Data)}
	if n := m.Notification; n != nil {
		out.Notification = &messaging.Notification{Title: n.Title, Body: n.Body, ImageURL: n.ImageURL}
	}
	out.Android = androidConfig(m)
	out.APNS = apnsConfig(m, now)
	out.Webpush = webpushConfig(m)
	return out
}

// androidConfig returns the Android settings, nil when there are none.
func androidConfig(m *notify.Message) *messaging.AndroidConfig {
	c := &messaging.AndroidConfig{CollapseKey: m.CollapseKey, Priority: priority(m.Priority, "high", "normal")}
	if m.TTL > 0 {
		ttl := m.TTL
		c.TTL = &ttl
	}
	if a := m.Android; a != nil {
		c.Notification = &messaging.AndroidNotification{
			ChannelID:   a.ChannelID,
			Icon:        a.Icon,
			Color:       a.Color,
			Sound:       a.Sound,
			Tag:         a.Tag,
			ClickAction: a.ClickAction,
		}
	}
	if c.CollapseKey == "" && c.Priority == "" && c.TTL == nil && c.Notification == nil {
		return nil
	}
	return c
}

// APNs push types and priorities set by apnsConfig.
const (
	pushTypeAlert      = "alert"
	pushTypeBackground = "background"
	apnsPriorityHigh   = "10"
	apnsPriorityNormal = "5"
	apnsPriorityLowest = "1"
)

// apnsConfig returns the APNs settings. Every message gets an apns-push-type
// (unless APNSOptions.Headers names one): "background" for a message with
// nothing to show (no notification, badge or sound; FCM delivers such data
// messages to Apple devices as content-available pushes), "alert" for the
// rest. A background push always goes with apns-priority 5 (or 1 when the
// headers ask for it): Apple documents 10 as an error for it and FCM rejects
// it. An alert goes with the message's priority, 10 by default.
func apnsConfig(m *notify.Message, now time.Time) *messaging.APNSConfig {
	headers := map[string]string{}
	if p := priority(m.Priority, apnsPriorityHigh, apnsPriorityNormal); p != "" {
		headers["apns-priority"] = p
	}
	if m.TTL > 0 {
		headers["apns-expiration"] = strconv.FormatInt(now.Add(m.TTL).Unix(), 10)
	}
	if m.CollapseKey != "" {
		headers["apns-collapse-id"] = m.CollapseKey
	}
	var payload *messaging.APNSPayload
	if a := m.APNS; a != nil {
		maps.Copy(headers, a.Headers)
		payload = &messaging.APNSPayload{Aps: &messaging.Aps{
			Badge:            a.Badge,
			Sound:            a.Sound,
			Category:         a.Category,
			ThreadID:         a.ThreadID,
			ContentAvailable: a.ContentAvailable,
			MutableContent:   a.MutableContent,
		}}
	}
	background := isBackground(m)
	if headers["apns-push-type"] == "" {
		headers["apns-push-type"] = pushTypeAlert
		if background {
			headers["apns-push-type"] = pushTypeBackground
		}
	}
	switch {
	case headers["apns-push-type"] == pushTypeBackground:
		if headers["apns-priority"] != apnsPriorityLowest {
			headers["apns-priority"] = apnsPriorityNormal
		}
		if background {
			// What FCM would add for a data message; explicit so the
			// payload matches the push type.
			if payload == nil {
				payload = &messaging.APNSPayload{Aps: &messaging.Aps{}}
			}
			payload.Aps.ContentAvailable = true
		}
	case headers["apns-push-type"] == pushTypeAlert && headers["apns-priority"] == "":
		headers["apns-priority"] = apnsPriorityHigh
	}
	return &messaging.APNSConfig{Headers: headers, Payload: payload}
}

// isBackground reports whether m shows nothing on an Apple device: no
// notification, badge or sound, only data or content-available.
func isBackground(m *notify.Message) bool {
	if m.Notification != nil {
		return false
	}
	return m.APNS == nil || (m.APNS.Badge == nil && m.APNS.Sound == "")
}

// webpushConfig returns the web push settings, nil when there are none.
func webpushConfig(m *notify.Message) *messaging.WebpushConfig {
	headers := map[string]string{}
	if p := priority(m.Priority, "high", "normal"); p != "" {
		headers["Urgency"] = p
	}
	if m.TTL > 0 {
		headers["TTL"] = strconv.FormatInt(int64(m.TTL/time.Second), 10)
	}
	c := &messaging.WebpushConfig{}
	if w := m.WebPush; w != nil {
		maps.Copy(headers, w.Headers)
		if w.Icon != "" {
			c.Notification = &messaging.WebpushNotification{Icon: w.Icon}
		}
		if w.Link != "" {
			c.FCMOptions = &messaging.WebpushFCMOptions{Link: w.Link}
		}
	}
	if len(headers) > 0 {
		c.Headers = headers
	}
	if c.Headers == nil && c.Notification == nil && c.FCMOptions == nil {
		return nil
	}
	return c
}

// priority returns high or normal for an explicit priority, "" for the default.
func priority(p notify.Priority, high, normal string) string {
	switch p {
	case notify.PriorityHigh:
		return high
	case notify.PriorityNormal:
		return normal
	}
	return ""
}
