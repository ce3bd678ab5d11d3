package notify

import "context"

// Sender delivers push messages.
//
// Send validates msg and to with Validate before anything is sent, and returns
// the validation error (wrapping ErrInvalidMessage) and a nil Result when they
// fail. Otherwise it returns a non-nil Result. For token targets the Result
// has one TokenResult per token and the error is Result.Err(): nil only when
// every token succeeded. For topics and conditions the error reports the
// failure of the one request. Send honours ctx cancellation.
type Sender interface {
	Send(ctx context.Context, to Target, msg *Message) (*Result, error)
}

// TopicManager subscribes device tokens to topics and unsubscribes them.
//
// Both methods validate topic and tokens first (at most MaxTokens tokens) and
// return a Result with one TokenResult per token; the error is Result.Err()
// or the failure of the request as a whole.
type TopicManager interface {
	Subscribe(ctx context.Context, topic string, tokens []string) (*Result, error)
	Unsubscribe(ctx context.Context, topic string, tokens []string) (*Result, error)
}
