package fcm_test

import (
	"context"
	"log"
	"os"

	"github.com/groundwork-go/groundwork/notify"
	"github.com/groundwork-go/groundwork/notify/fcm"
)

func ExampleNew() {
	ctx := context.Background()
	key, err := os.ReadFile(os.Getenv("FIREBASE_CREDENTIALS_FILE"))
	if err != nil {
		log.Fatal(err)
	}
	sender, err := fcm.New(ctx, os.Getenv("FIREBASE_PROJECT_ID"), fcm.Config{CredentialsJSON: key})
	if err != nil {
		log.Fatal(err)
	}
	var _ notify.Sender = sender // hand it to code that takes a notify.Sender
}

// tokenStore is the part of an application's device-token table the example needs.
type tokenStore interface {
	DeviceTokens(ctx context.Context, userID string) ([]string, error)
	DeleteDeviceTokens(ctx context.Context, userID string, tokens []string) error
}

// Sending a notification to a user's devices and pruning dead tokens.
func ExampleSender_Send() {
	ctx := context.Background()
	sender, err := fcm.New(ctx, "my-project", fcm.Config{}) // Application Default Credentials
	if err != nil {
		log.Fatal(err)
	}
	var store tokenStore // the application's store
	tokens, err := store.DeviceTokens(ctx, "user-42")
	if err != nil || len(tokens) == 0 {
		return
	}
	res, err := sender.Send(ctx, notify.ToTokens(tokens...), &notify.Message{
		Notification: &notify.Notification{Title: "Order shipped", Body: "Your order is on its way."},
		Data:         map[string]string{"order_id": "42"},
		Priority:     notify.PriorityHigh,
	})
	if res != nil {
		// Unregistered and invalid tokens never work again: forget them.
		if dead := res.DeadTokens(); len(dead) > 0 {
			if err := store.DeleteDeviceTokens(ctx, "user-42", dead); err != nil {
				log.Printf("pruning tokens: %v", err)
			}
		}
		log.Printf("push: %d delivered, %d failed", res.SuccessCount(), res.FailureCount())
	}
	if err != nil {
		log.Printf("push: %v", err) // token-level failures are joined here; tokens are shortened
	}
}
