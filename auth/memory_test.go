package auth_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/groundwork-go/groundwork/auth"
)

// In-process state follows the live sessions, not the requests: 300,000
// refreshes of one session leave the heap where 10,000 left it (a refresh
// rotates the session in place and records nothing per token).
func TestHeapFlatOverManyRefreshes(t *testing.T) {
	total := 300_000
	if raceEnabled || testing.Short() {
		total = 30_000
	}
	sessions := auth.NewMemorySessions(auth.MemorySessionOptions{})
	revocations := auth.NewMemoryRevocations(auth.MemoryRevocationOptions{})
	a, err := auth.NewAuthenticator(newHSTokens(t, auth.TokenOptions{VerifiedCacheSize: -1}), sessions, revocations, auth.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pair, err := a.StartSession(ctx, auth.Credentials{Subject: "42"}, auth.ClientInfo{})
	if err != nil {
		t.Fatal(err)
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	var base uint64
	for i := range total {
		if i == 10_000 {
			base = heap()
		}
		if pair, err = a.Refresh(ctx, pair.RefreshToken); err != nil {
			t.Fatalf("refresh %d: %v", i, err)
		}
	}
	end := heap()
	t.Logf("heap after 10,000 refreshes %d KB, after %d: %d KB", base>>10, total, end>>10)
	if end > base+512<<10 {
		t.Fatalf("heap grew from %d KB to %d KB over %d refreshes, want flat (within 512 KB)", base>>10, end>>10, total-10_000)
	}
	if n := sessions.Len(); n != 1 {
		t.Fatalf("MemorySessions holds %d sessions, want 1", n)
	}
	if n := revocations.Len(); n != 0 {
		t.Fatalf("MemoryRevocations holds %d entries after refreshes alone, want 0", n)
	}
}
