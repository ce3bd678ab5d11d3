package notify_test

import (
	"testing"

	"github.com/groundwork-go/groundwork/notify"
	"github.com/groundwork-go/groundwork/notify/notifytest"
)

func TestRecorderConformance(t *testing.T) {
	notifytest.RunSenderTests(t, func(t *testing.T) notifytest.Harness {
		r := notify.NewRecorder()
		return notifytest.Harness{Sender: r, Topics: r, Fail: r.FailToken}
	})
}
