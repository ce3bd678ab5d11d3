package tracehooktest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/groundwork-go/groundwork/ratelimit"
	"github.com/groundwork-go/groundwork/tracehook/tracehooktest"
)

func ExampleRecorder() {
	rec := &tracehooktest.Recorder{}
	limiter := ratelimit.New(ratelimit.NewMemoryStore(ratelimit.MemoryOptions{}), ratelimit.Options{Trace: rec.Start})
	limiter.Allow(context.Background(), "ip:192.0.2.1", ratelimit.Policy{Name: "strict", Limit: 10, Window: time.Minute})
	for _, s := range rec.Spans() {
		outcome, _ := s.Attr("groundwork.ratelimit.outcome")
		fmt.Println(s.Name, outcome, s.Ends)
	}
	// Output: ratelimit.allow allowed 1
}
