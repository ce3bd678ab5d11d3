package ratelimit

import (
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/groundwork-go/groundwork/internal/testenv"
)

// Script calls carrying many decisions, with keys repeated (consecutive as
// the batcher sorts them, or not), decide as the Go sliding log does one
// decision after another: the shared read and write of a key's value, the
// entries appended to a small value and dropped when it is rewritten, the
// change to a list and the blocks moving between its header and the list
// within one call lose nothing.
func TestScriptBatchesMatchSlidingLog(t *testing.T) {
	for _, sorted := range []bool{true, false} {
		t.Run("sorted="+strconv.FormatBool(sorted), func(t *testing.T) {
			srv := testenv.Redis(t)
			c := srv.Client(t)
			ctx := context.Background()
			rng := rand.New(rand.NewPCG(7, 8))
			type keyState struct {
				p   Policy
				log slidingLog
			}
			keys := map[string]*keyState{}
			names := []string{"a", "b", "c", "d"}
			for i, n := range names {
				keys[srv.Prefix+"{t}"+n] = &keyState{p: Policy{Limit: []int{3, 20, 45, 130}[i], Window: time.Duration(20+10*i) * time.Millisecond}}
			}
			if srv.Mini != nil {
				srv.Mini.SetTime(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
			}
			at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			for call := range 300 {
				var batch []string
				for range 1 + rng.IntN(60) {
					batch = append(batch, srv.Prefix+"{t}"+names[rng.IntN(len(names))]) // one slot
				}
				if sorted {
					slices.SortStableFunc(batch, strings.Compare)
				}
				args := make([][3]string, len(batch))
				for i, k := range batch {
					p := keys[k].p
					w := p.Window.Microseconds()
					args[i] = [3]string{strconv.Itoa(p.Limit), strconv.FormatInt(w, 10), strconv.FormatInt(2*ceilDiv(w, 1000), 10)}
				}
				ds, err := runScript(ctx, c, batch, args)
				if err != nil {
					t.Fatalf("call %d: %v", call, err)
				}
				for i, k := range batch {
					ks := keys[k]
					want := ks.log.decide(ds[i].now, ks.p.Window.Microseconds(), ks.p.Limit)
					if ds[i] != want {
						t.Fatalf("call %d, decision %d (key %s): got %+v, want %+v", call, i, k, ds[i], want)
					}
				}
				if srv.Mini != nil {
					at = at.Add(time.Duration(rng.IntN(3000)) * time.Microsecond)
					srv.Mini.SetTime(at)
				} else if rng.IntN(10) == 0 {
					time.Sleep(time.Duration(rng.IntN(5)) * time.Millisecond)
				}
			}
		})
	}
}
