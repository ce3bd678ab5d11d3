package notify

import (
	"slices"
	"strings"
)

// TargetKind says what a Target addresses.
type TargetKind int

const (
	// KindTokens addresses one or more device registration tokens.
	KindTokens TargetKind = iota + 1
	// KindTopic addresses every device subscribed to a topic.
	KindTopic
	// KindCondition addresses devices matching a topic condition such as
	// "'news' in topics && 'sports' in topics".
	KindCondition
)

// Target is where a message goes. Build one with ToToken, ToTokens, ToTopic or
// ToCondition; the zero Target is invalid.
type Target struct {
	kind      TargetKind
	tokens    []string
	topic     string
	condition string
}

// ToToken addresses a single device.
func ToToken(token string) Target {
	return Target{kind: KindTokens, tokens: []string{token}}
}

// ToTokens addresses several devices (a multicast), at most MaxTokens.
func ToTokens(tokens ...string) Target {
	return Target{kind: KindTokens, tokens: slices.Clone(tokens)}
}

// ToTopic addresses the subscribers of topic. A leading "/topics/" is removed.
func ToTopic(topic string) Target {
	return Target{kind: KindTopic, topic: strings.TrimPrefix(topic, "/topics/")}
}

// ToCondition addresses the devices matching a topic condition.
func ToCondition(condition string) Target {
	return Target{kind: KindCondition, condition: condition}
}

// Kind reports what the target addresses; zero for the zero Target.
func (t Target) Kind() TargetKind { return t.kind }

// Tokens returns a copy of the device tokens of a KindTokens target.
func (t Target) Tokens() []string { return slices.Clone(t.tokens) }

// Topic returns the topic name of a KindTopic target.
func (t Target) Topic() string { return t.topic }

// Condition returns the condition of a KindCondition target.
func (t Target) Condition() string { return t.condition }
