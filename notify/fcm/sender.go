package fcm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"firebase.google.com/go/v4/messaging"
	gofcm "github.com/appleboy/go-fcm"
	"golang.org/x/oauth2"

	"github.com/groundwork-go/groundwork/notify"
)

// Config holds the optional settings of a Sender. With the zero value the
// Sender authenticates with Google Application Default Credentials.
type Config struct {
	// Endpoint is the base URL of the FCM HTTP v1 API.
	// Default "https://fcm.googleapis.com/v1".
	Endpoint string
	// CredentialsJSON is a service account key. Default: none (see TokenSource).
	CredentialsJSON []byte
	// TokenSource supplies OAuth2 access tokens. Default: none; with neither
	// CredentialsJSON nor TokenSource nor HTTPClient, Application Default
	// Credentials are used.
	TokenSource oauth2.TokenSource
	// HTTPClient carries the requests. Credentials, when given, are applied on
	// top of its transport; without them requests are sent unauthenticated,
	// which is what a test fake or an authenticating proxy wants.
	// Default: a client built from the credentials.
	HTTPClient *http.Client
	// DryRun makes FCM validate messages without delivering them. Default false.
	DryRun bool
	// Now returns the current time, used for the apns-expiration header.
	// Default time.Now.
	Now func() time.Time
}

// Sender sends notifications through FCM. It is safe for concurrent use.
type Sender struct {
	client *gofcm.Client
	dryRun bool
	now    func() time.Time
}

var (
	_ notify.Sender       = (*Sender)(nil)
	_ notify.TopicManager = (*Sender)(nil)
)

// New returns a Sender for the Firebase project projectID.
func New(ctx context.Context, projectID string, cfg Config) (*Sender, error) {
	if projectID == "" {
		return nil, errors.New("fcm: New: project id is required")
	}
	opts := []gofcm.Option{gofcm.WithProjectID(projectID)}
	if cfg.Endpoint != "" {
		opts = append(opts, gofcm.WithEndpoint(cfg.Endpoint))
	}
	if cfg.CredentialsJSON != nil {
		opts = append(opts, gofcm.WithCredentialsJSON(cfg.CredentialsJSON))
	}
	if cfg.TokenSource != nil {
		opts = append(opts, gofcm.WithTokenSource(cfg.TokenSource))
	}
	if cfg.HTTPClient != nil {
		opts = append(opts, gofcm.WithHTTPClient(cfg.HTTPClient))
	}
	client, err := gofcm.NewClient(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("fcm: New: %w", err)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Sender{client: client, dryRun: cfg.DryRun, now: now}, nil
}

// Send validates msg and sends it to to. Token targets are sent one request
// per token (concurrently) and yield one TokenResult per token; the returned
// error is then Result.Err(). Topic and condition targets are one request.
func (s *Sender) Send(ctx context.Context, to notify.Target, msg *notify.Message) (*notify.Result, error) {
	if err := notify.Validate(to, msg); err != nil {
		return nil, fmt.Errorf("fcm: send: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fcm: send: %w", err)
	}
	base := toMessage(msg, s.now())
	if to.Kind() == notify.KindTokens {
		return s.sendTokens(ctx, to.Tokens(), base)
	}
	base.Topic, base.Condition = to.Topic(), to.Condition()
	resp, err := s.send(ctx, base)
	if err != nil {
		return nil, fmt.Errorf("fcm: send: %w", err)
	}
	r := resp.Responses[0]
	if !r.Success {
		return &notify.Result{}, fmt.Errorf("fcm: send: %w", classify(ctx, r.Error))
	}
	return &notify.Result{MessageID: r.MessageID}, nil
}

// sendTokens sends base to each token and collects the per-token outcomes.
func (s *Sender) sendTokens(ctx context.Context, tokens []string, base *messaging.Message) (*notify.Result, error) {
	msgs := make([]*messaging.Message, len(tokens))
	for i, tok := range tokens {
		m := *base
		m.Token = tok
		msgs[i] = &m
	}
	resp, err := s.send(ctx, msgs...)
	if err != nil {
		return nil, fmt.Errorf("fcm: send: %w", err)
	}
	res := &notify.Result{Tokens: make([]notify.TokenResult, len(tokens))}
	for i, r := range resp.Responses {
		res.Tokens[i] = notify.TokenResult{Token: tokens[i], MessageID: r.MessageID}
		if !r.Success {
			res.Tokens[i].Err = classify(ctx, r.Error)
		}
	}
	if err := res.Err(); err != nil {
		return res, fmt.Errorf("fcm: send: %w", err)
	}
	return res, nil
}

// send hands msgs to the client, in dry-run mode when configured. An error
// here means the batch could not be attempted at all.
func (s *Sender) send(ctx context.Context, msgs ...*messaging.Message) (*messaging.BatchResponse, error) {
	var resp *messaging.BatchResponse
	var err error
	if s.dryRun {
		resp, err = s.client.SendDryRun(ctx, msgs...)
	} else {
		resp, err = s.client.Send(ctx, msgs...)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", notify.ErrSendFailed, err)
	}
	if len(resp.Responses) != len(msgs) {
		return nil, fmt.Errorf("%w: got %d responses for %d messages", notify.ErrSendFailed, len(resp.Responses), len(msgs))
	}
	return resp, nil
}

// Subscribe subscribes tokens to topic through the Instance ID API.
func (s *Sender) Subscribe(ctx context.Context, topic string, tokens []string) (*notify.Result, error) {
	return s.manageTopic(ctx, "subscribe", topic, tokens, s.client.SubscribeTopic)
}

// Unsubscribe unsubscribes tokens from topic through the Instance ID API.
func (s *Sender) Unsubscribe(ctx context.Context, topic string, tokens []string) (*notify.Result, error) {
	return s.manageTopic(ctx, "unsubscribe", topic, tokens, s.client.UnsubscribeTopic)
}

type topicOp func(ctx context.Context, tokens []string, topic string) (*messaging.TopicManagementResponse, error)

// manageTopic validates the arguments, runs op and maps per-token errors.
func (s *Sender) manageTopic(ctx context.Context, name, topic string, tokens []string, op topicOp) (*notify.Result, error) {
	if err := notify.ValidateTopic(topic); err != nil {
		return nil, fmt.Errorf("fcm: %s: %w", name, err)
	}
	if err := notify.ValidateTokens(tokens, notify.MaxTopicTokens); err != nil {
		return nil, fmt.Errorf("fcm: %s: %w", name, err)
	}
	resp, err := op(ctx, tokens, topic)
	if err != nil {
		return nil, fmt.Errorf("fcm: %s: %w", name, classify(ctx, err))
	}
	res := &notify.Result{Tokens: make([]notify.TokenResult, len(tokens))}
	for i, tok := range tokens {
		res.Tokens[i].Token = tok
	}
	for _, e := range resp.Errors {
		if e.Index >= 0 && e.Index < len(tokens) {
			res.Tokens[e.Index].Err = fmt.Errorf("%w: %s", topicSentinel(e.Reason), e.Reason)
		}
	}
	if err := res.Err(); err != nil {
		return res, fmt.Errorf("fcm: %s: %w", name, err)
	}
	return res, nil
}
