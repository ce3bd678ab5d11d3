package lazyctx_test

import (
	"context"
	"fmt"
	"time"

	"github.com/groundwork-go/groundwork/internal/lazyctx"
)

// A lookup that usually answers from memory gets a bound without paying
// for a timer; a callee that blocks on Done still ends at the deadline.
func ExampleWithTimeout() {
	ctx := lazyctx.WithTimeout(context.Background(), 20*time.Millisecond)
	defer ctx.Cancel()

	deadline, _ := ctx.Deadline()
	fmt.Println("has a deadline:", !deadline.IsZero(), "ended:", ctx.Err() != nil)

	<-ctx.Done() // the first Done starts the timer
	fmt.Println(ctx.Err())
	// Output:
	// has a deadline: true ended: false
	// context deadline exceeded
}
