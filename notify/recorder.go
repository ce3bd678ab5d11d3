package notify

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Recorder is an in-memory Sender and TopicManager for application tests. It
// validates every message exactly as real senders do, records what was sent
// and keeps topic subscriptions. Tokens can be made to fail with FailToken.
// It is safe for concurrent use.
type Recorder struct {
	mu         sync.Mutex
	deliveries []Delivery
	failing    map[string]error
	topics     map[string]map[string]bool
	nextID     int
}

var (
	_ Sender       = (*Recorder)(nil)
	_ TopicManager = (*Recorder)(nil)
)

// Delivery is one accepted Send recorded by a Recorder.
type Delivery struct {
	// To is the target of the send.
	To Target
	// Message is a copy of the message as it was sent.
	Message *Message
	// Result is what Send returned.
	Result *Result
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder {
	return &Recorder{failing: map[string]error{}, topics: map[string]map[string]bool{}}
}

// FailToken makes every later send or topic operation for token fail with err,
// for example ErrUnregistered. A nil err makes the token work again.
func (r *Recorder) FailToken(token string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err == nil {
		delete(r.failing, token)
		return
	}
	r.failing[token] = err
}

// Send validates and records msg. Token targets get one TokenResult per token;
// tokens marked with FailToken fail with their error.
func (r *Recorder) Send(ctx context.Context, to Target, msg *Message) (*Result, error) {
	if err := Validate(to, msg); err != nil {
		return nil, fmt.Errorf("notify: recorder send: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("notify: recorder send: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	res := &Result{}
	if to.kind == KindTokens {
		for _, tok := range to.tokens {
			res.Tokens = append(res.Tokens, r.tokenResult(tok))
		}
	} else {
		res.MessageID = r.newID()
	}
	r.deliveries = append(r.deliveries, Delivery{To: to, Message: msg.clone(), Result: res})
	return res, res.Err()
}

// tokenResult returns the outcome for tok. The caller holds r.mu.
func (r *Recorder) tokenResult(tok string) TokenResult {
	if err := r.failing[tok]; err != nil {
		return TokenResult{Token: tok, Err: err}
	}
	return TokenResult{Token: tok, MessageID: r.newID()}
}

// newID returns the next message id. The caller holds r.mu.
func (r *Recorder) newID() string {
	r.nextID++
	return fmt.Sprintf("recorder/messages/%d", r.nextID)
}

// Subscribe adds tokens to topic; failing tokens are left out.
func (r *Recorder) Subscribe(ctx context.Context, topic string, tokens []string) (*Result, error) {
	return r.manageTopic(ctx, topic, tokens, true)
}

// Unsubscribe removes tokens from topic; failing tokens are left in.
func (r *Recorder) Unsubscribe(ctx context.Context, topic string, tokens []string) (*Result, error) {
	return r.manageTopic(ctx, topic, tokens, false)
}

// manageTopic implements Subscribe and Unsubscribe.
func (r *Recorder) manageTopic(ctx context.Context, topic string, tokens []string, subscribe bool) (*Result, error) {
	if err := ValidateTopic(topic); err != nil {
		return nil, fmt.Errorf("notify: recorder topic %s: %w", topic, err)
	}
	if err := ValidateTokens(tokens, MaxTopicTokens); err != nil {
		return nil, fmt.Errorf("notify: recorder topic %s: %w", topic, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("notify: recorder topic %s: %w", topic, err)
	}
	topic = strings.TrimPrefix(topic, "/topics/")
	r.mu.Lock()
	defer r.mu.Unlock()
	subs := r.topics[topic]
	if subs == nil {
		subs = map[string]bool{}
		r.topics[topic] = subs
	}
	res := &Result{}
	for _, tok := range tokens {
		if err := r.failing[tok]; err != nil {
			res.Tokens = append(res.Tokens, TokenResult{Token: tok, Err: err})
			continue
		}
		if subscribe {
			subs[tok] = true
		} else {
			delete(subs, tok)
		}
		res.Tokens = append(res.Tokens, TokenResult{Token: tok})
	}
	return res, res.Err()
}

// Deliveries returns the recorded sends, oldest first.
func (r *Recorder) Deliveries() []Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.deliveries)
}

// Subscribers returns the tokens subscribed to topic, sorted.
func (r *Recorder) Subscribers(topic string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for tok := range r.topics[strings.TrimPrefix(topic, "/topics/")] {
		out = append(out, tok)
	}
	slices.Sort(out)
	return out
}

// Reset forgets recorded deliveries, subscriptions and failing tokens.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.deliveries = nil
	r.failing = map[string]error{}
	r.topics = map[string]map[string]bool{}
}
