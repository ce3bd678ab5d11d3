package cache

import (
	"fmt"
	"testing"
	"time"
)

func TestPendingWrites(t *testing.T) {
	p := newPendingWrites(time.Hour)
	if w := p.lookup("k"); w != nil {
		t.Fatalf("lookup with nothing pending: got %v, want nil", w)
	}
	first := p.begin("k")
	if got := p.lookup("k"); got != first || got.finished() {
		t.Fatalf("lookup during a write: got %v, want the unfinished write", got)
	}
	second := p.begin("k") // a newer write of the same key
	p.finish(first)
	p.forget("k", first) // must not drop the newer write
	if got := p.lookup("k"); got != second {
		t.Fatalf("lookup after forgetting the older write: got %v, want the newer", got)
	}
	p.finish(second)
	p.forget("k", second)
	if got := p.lookup("k"); got != nil || p.n.Load() != 0 {
		t.Fatalf("after forgetting every write: got %v with %d entries, want none", got, p.n.Load())
	}
}

func TestPendingWritesExpire(t *testing.T) {
	p := newPendingWrites(time.Nanosecond) // any finished write is older than the window
	for i := range 3 * minSweep {
		p.finish(p.begin(fmt.Sprintf("k%d", i)))
	}
	if n := p.n.Load(); n >= 2*minSweep {
		t.Fatalf("entries after %d expired writes: got %d, want the sweeps to keep them under %d", 3*minSweep, n, 2*minSweep)
	}
	w := p.begin("last")
	if got := p.lookup("last"); got != w {
		t.Fatalf("lookup of an unfinished write: got %v, want it (in-flight writes never expire)", got)
	}
	p.finish(w)
	time.Sleep(time.Microsecond) // the window is a duration of wall-clock time
	if got := p.lookup("last"); got != nil {
		t.Fatalf("lookup after the window: got %v, want nil", got)
	}
}
