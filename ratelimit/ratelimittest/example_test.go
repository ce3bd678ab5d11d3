package ratelimittest_test

import (
	"fmt"
	"time"

	"github.com/groundwork-go/groundwork/ratelimit/ratelimittest"
)

func ExampleNewClock() {
	clock := ratelimittest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	clock.Advance(1500 * time.Microsecond)
	fmt.Println(clock.Now().Format(time.RFC3339Nano))
	// Output:
	// 2026-01-01T00:00:00.0015Z
}
