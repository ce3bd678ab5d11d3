// Package notify describes push notifications independently of the service
// that delivers them.
//
// A Message carries a notification (title, body, image), a data map, per-platform
// options for Android, APNs and web push, and delivery options (TTL, priority,
// collapse key). A Target addresses one device token, a list of tokens, a
// topic or a topic condition. A Sender delivers a Message to a Target and
// reports, per token, which deliveries failed and which tokens are dead and
// should be deleted; a TopicManager subscribes tokens to topics.
//
// notify/fcm implements both over Firebase Cloud Messaging. Recorder
// implements both in memory for application tests; notify/notifytest is the
// conformance suite both pass.
//
// Usage:
//
//	res, err := sender.Send(ctx, notify.ToTokens(user.DeviceTokens...), &notify.Message{
//		Notification: &notify.Notification{Title: "Order shipped", Body: "It is on its way."},
//		Data:         map[string]string{"order_id": "42"},
//	})
//	if res != nil {
//		store.DeleteDeviceTokens(ctx, res.DeadTokens())
//	}
//	if err != nil {
//		log.Printf("push: %v", err)
//	}
package notify
