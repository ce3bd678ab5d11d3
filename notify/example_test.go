package notify_test

import (
	"context"
	"fmt"
	"log"

	"github.com/groundwork-go/groundwork/notify"
)

// deviceStore stands in for the application's table of device tokens.
type deviceStore map[string][]string

// notifyUser sends msg to every device of user and deletes the tokens the
// provider reports as dead. It works with any notify.Sender: notify/fcm in
// production, a Recorder in tests.
func notifyUser(ctx context.Context, s notify.Sender, store deviceStore, user string, msg *notify.Message) error {
	tokens := store[user]
	if len(tokens) == 0 {
		return nil
	}
	res, err := s.Send(ctx, notify.ToTokens(tokens...), msg)
	if res != nil {
		for _, dead := range res.DeadTokens() {
			store[user] = deleteToken(store[user], dead)
		}
	}
	return err
}

func deleteToken(tokens []string, dead string) []string {
	var kept []string
	for _, t := range tokens {
		if t != dead {
			kept = append(kept, t)
		}
	}
	return kept
}

// Sending a notification to a user's devices and pruning dead tokens.
func ExampleNewRecorder() {
	rec := notify.NewRecorder()
	rec.FailToken("token-old-phone", notify.ErrUnregistered)

	store := deviceStore{"ada": {"token-laptop", "token-old-phone", "token-phone"}}
	err := notifyUser(context.Background(), rec, store, "ada", &notify.Message{
		Notification: &notify.Notification{Title: "Order shipped", Body: "Your order is on its way."},
		Data:         map[string]string{"order_id": "42"},
		Priority:     notify.PriorityHigh,
	})
	fmt.Println("error:", err != nil)
	fmt.Println("kept:", store["ada"])
	fmt.Println("sent:", len(rec.Deliveries()))
	// Output:
	// error: true
	// kept: [token-laptop token-phone]
	// sent: 1
}

func ExampleToTokens() {
	to := notify.ToTokens("token-a", "token-b")
	fmt.Println(to.Kind() == notify.KindTokens, to.Tokens())
	// Output: true [token-a token-b]
}

func ExampleToToken() {
	fmt.Println(notify.ToToken("token-a").Tokens())
	// Output: [token-a]
}

func ExampleToTopic() {
	fmt.Println(notify.ToTopic("/topics/news").Topic())
	// Output: news
}

func ExampleToCondition() {
	to := notify.ToCondition("'news' in topics && 'sports' in topics")
	err := notify.Validate(to, &notify.Message{Data: map[string]string{"k": "v"}})
	fmt.Println(err)
	// Output: <nil>
}

func ExampleValidate() {
	err := notify.Validate(notify.ToToken("t"), &notify.Message{Data: map[string]string{"from": "me"}})
	fmt.Println(err)
	// Output: notify: invalid message: data key "from" is empty or reserved
}

func ExampleRecorder_Subscribe() {
	rec := notify.NewRecorder()
	if _, err := rec.Subscribe(context.Background(), "news", []string{"token-a", "token-b"}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(rec.Subscribers("news"))
	// Output: [token-a token-b]
}
