package notify

import (
	"errors"
	"fmt"
)

// Result is the outcome of a Send, Subscribe or Unsubscribe.
type Result struct {
	// MessageID is the provider's id of a topic or condition message; empty
	// for token targets, whose ids are per token.
	MessageID string
	// Tokens holds one entry per token, in the order the tokens were given.
	// It is empty for topic and condition sends.
	Tokens []TokenResult
}

// TokenResult is the outcome for one device token.
type TokenResult struct {
	// Token is the device token.
	Token string
	// MessageID is the provider's message id when the delivery succeeded.
	MessageID string
	// Err is nil on success; otherwise it wraps one of the package errors,
	// for example ErrUnregistered.
	Err error
}

// SuccessCount returns how many tokens succeeded.
func (r *Result) SuccessCount() int {
	n := 0
	for _, t := range r.Tokens {
		if t.Err == nil {
			n++
		}
	}
	return n
}

// FailureCount returns how many tokens failed.
func (r *Result) FailureCount() int { return len(r.Tokens) - r.SuccessCount() }

// DeadTokens returns the tokens that failed with ErrInvalidToken or
// ErrUnregistered: the ones an application should delete.
func (r *Result) DeadTokens() []string {
	var dead []string
	for _, t := range r.Tokens {
		if IsDeadToken(t.Err) {
			dead = append(dead, t.Token)
		}
	}
	return dead
}

// Err joins the per-token errors, each prefixed with a shortened token; nil
// when every token succeeded.
func (r *Result) Err() error {
	var errs []error
	for _, t := range r.Tokens {
		if t.Err != nil {
			errs = append(errs, fmt.Errorf("token %s: %w", ShortToken(t.Token), t.Err))
		}
	}
	return errors.Join(errs...)
}

// ShortToken returns the first eight characters of a device token followed by
// "…", for error messages and logs that must not carry whole tokens.
func ShortToken(token string) string {
	if len(token) <= 8 {
		return token
	}
	return token[:8] + "…"
}
