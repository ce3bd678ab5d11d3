// Package fcm sends push notifications through Firebase Cloud Messaging's
// HTTP v1 API, implementing notify.Sender and notify.TopicManager on top of
// github.com/appleboy/go-fcm.
//
// Messages are validated with notify.Validate before anything is sent (an
// oversized payload fails with notify.ErrPayloadTooLarge and no request is
// made). A multicast is sent as one request per token, and the result says for
// each token whether it succeeded; dead tokens (FCM's UNREGISTERED, and
// INVALID_ARGUMENT or SENDER_ID_MISMATCH for the token) are reported as
// notify.ErrUnregistered or notify.ErrInvalidToken so the application can
// delete them. Requests are retried only where FCM allows it: on 503
// UNAVAILABLE and on network errors, with exponential back-off honouring
// Retry-After. Other failures (429 QUOTA_EXCEEDED, 500 INTERNAL) are
// reported, not retried; when FCM sends a Retry-After header the error is a
// notify.RetryAfterError, so the caller can schedule the retry
// (notify.RetryAfter). Context cancellation is honoured.
//
// On Apple devices a message that shows nothing (no notification, badge or
// sound: data or APNSOptions.ContentAvailable only) goes as a background push,
// with apns-push-type "background", content-available and apns-priority 5
// whatever the message's Priority, because APNs and FCM reject priority 10
// for it. Every other message goes with apns-push-type "alert" and
// apns-priority 10 unless Priority is PriorityNormal. APNSOptions.Headers can
// name another push type.
//
// This package carries the Firebase Admin SDK and the Google API client; import
// it only where notifications are sent.
//
// Usage:
//
//	sender, err := fcm.New(ctx, "my-project", fcm.Config{CredentialsJSON: serviceAccountJSON})
//	if err != nil {
//		return err
//	}
//	res, err := sender.Send(ctx, notify.ToTokens(tokens...), &notify.Message{
//		Notification: &notify.Notification{Title: "Hello", Body: "World"},
//	})
//	if res != nil {
//		deleteTokens(res.DeadTokens())
//	}
package fcm
