package fcm

import (
	"errors"
	"testing"

	"github.com/groundwork-go/groundwork/notify"
	"github.com/groundwork-go/groundwork/notify/notifytest"
)

func TestConformance(t *testing.T) {
	notifytest.RunSenderTests(t, func(t *testing.T) notifytest.Harness {
		f := newFakeFCM(t)
		s := newTestSender(t, f, Config{})
		return notifytest.Harness{Sender: s, Topics: s, Fail: func(token string, err error) {
			// Answer as FCM and the Instance ID API do for such tokens.
			switch {
			case errors.Is(err, notify.ErrUnregistered):
				f.reply(token, replyUnregistered)
				f.setTopicFail(token, "NOT_FOUND")
			case errors.Is(err, notify.ErrInvalidToken):
				f.reply(token, replyInvalidToken)
				f.setTopicFail(token, "INVALID_ARGUMENT")
			case errors.Is(err, notify.ErrQuotaExceeded):
				f.reply(token, replyQuota)
				f.setTopicFail(token, "RESOURCE_EXHAUSTED")
			default:
				t.Fatalf("harness cannot fail a token with %v", err)
			}
		}}
	})
}
