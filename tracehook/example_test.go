package tracehook_test

import (
	"context"
	"fmt"

	"github.com/groundwork-go/groundwork/tracehook"
)

// A Start that prints spans, as an adapter to any tracer would start and
// end them.
func ExampleStart() {
	var start tracehook.Start = func(ctx context.Context, name string, attrs ...tracehook.Attr) (context.Context, tracehook.End) {
		fmt.Println("start", name, attrs)
		return ctx, func(err error, attrs ...tracehook.Attr) { fmt.Println("end", name, err, attrs) }
	}
	_, end := start(context.Background(), "ratelimit.allow", tracehook.String("groundwork.ratelimit.policy", "strict"))
	end(nil, tracehook.Bool("groundwork.ratelimit.allowed", true))
	// Output:
	// start ratelimit.allow [{groundwork.ratelimit.policy strict}]
	// end ratelimit.allow <nil> [{groundwork.ratelimit.allowed true}]
}
