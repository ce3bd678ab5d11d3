package ratelimit_test

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/groundwork-go/groundwork/internal/testenv"
	"github.com/groundwork-go/groundwork/ratelimit"
)

// The benchmarks in this file compare the limiter with a plain PING on the
// same Redis, in alternating phases of one run, and read the Redis CPU
// spent per call from INFO commandstats. They need REDIS_URL, and a Redis
// of their own: commands other clients send at the same time count too.
//
//	redis-server --port 6391 --save '' &
//	REDIS_URL=redis://127.0.0.1:6391 go test -run '^$' -bench 'VsPing|HotKey' -benchtime 6x ./ratelimit
//
// Each iteration is one pair of phases (their order alternates), each
// phase lasting RATELIMIT_BENCH_PHASE (default 1s); the metrics are the
// medians over the pairs.

// phaseLength is how long each phase of a pair runs.
func phaseLength(tb testing.TB) time.Duration {
	tb.Helper()
	v := os.Getenv("RATELIMIT_BENCH_PHASE")
	if v == "" {
		return time.Second
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 || d > time.Minute {
		tb.Fatalf("RATELIMIT_BENCH_PHASE=%q: want a duration in (0, 1m]", v)
	}
	return d
}

// cmdStat is one command's line of INFO commandstats.
type cmdStat struct{ calls, usec int64 }

// commandStats returns INFO commandstats by command name (lower case).
func commandStats(tb testing.TB, c rueidis.Client) map[string]cmdStat {
	tb.Helper()
	info, err := c.Do(context.Background(), c.B().Info().Section("commandstats").Build()).ToString()
	if err != nil {
		tb.Fatalf("INFO commandstats: %v", err)
	}
	stats := map[string]cmdStat{}
	for line := range strings.Lines(info) {
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || !strings.HasPrefix(name, "cmdstat_") {
			continue
		}
		var st cmdStat
		for field := range strings.SplitSeq(rest, ",") {
			k, v, _ := strings.Cut(field, "=")
			n, _ := strconv.ParseInt(v, 10, 64)
			switch k {
			case "calls":
				st.calls = n
			case "usec":
				st.usec = n
			}
		}
		stats[strings.TrimPrefix(name, "cmdstat_")] = st
	}
	return stats
}

// redisCPU returns the Redis process's CPU time (user and system) from
// INFO cpu, in µs.
func redisCPU(tb testing.TB, c rueidis.Client) float64 {
	tb.Helper()
	info, err := c.Do(context.Background(), c.B().Info().Section("cpu").Build()).ToString()
	if err != nil {
		tb.Fatalf("INFO cpu: %v", err)
	}
	var total float64
	for line := range strings.Lines(info) {
		k, v, _ := strings.Cut(strings.TrimSpace(line), ":")
		if k == "used_cpu_user" || k == "used_cpu_sys" {
			f, _ := strconv.ParseFloat(v, 64)
			total += f
		}
	}
	return total * 1e6
}

// since returns the calls and Redis µs of the named commands since before.
func since(before, after map[string]cmdStat, names ...string) (calls, usec int64) {
	for _, n := range names {
		calls += after[n].calls - before[n].calls
		usec += after[n].usec - before[n].usec
	}
	return calls, usec
}

// phaseResult is what one phase measured.
type phaseResult struct {
	perSec      float64 // operations per second
	calls, usec int64   // of the commands named, from INFO commandstats
	cpu         float64 // µs of Redis process CPU, from INFO cpu
}

// phase runs op from 64 goroutines for d and measures it.
func phase(tb testing.TB, c rueidis.Client, d time.Duration, commands []string, op func(worker int, i int64) error) phaseResult {
	tb.Helper()
	before, cpuBefore := commandStats(tb, c), redisCPU(tb, c)
	var ops atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Pointer[error]
	began := time.Now()
	deadline := began.Add(d)
	for w := range 64 {
		wg.Go(func() {
			n := int64(0)
			for ; time.Now().Before(deadline); n++ {
				if err := op(w, n); err != nil {
					failed.CompareAndSwap(nil, &err)
					break
				}
			}
			ops.Add(n)
		})
	}
	wg.Wait()
	elapsed := time.Since(began)
	if err := failed.Load(); err != nil {
		tb.Fatal(*err)
	}
	r := phaseResult{perSec: float64(ops.Load()) / elapsed.Seconds(), cpu: redisCPU(tb, c) - cpuBefore}
	r.calls, r.usec = since(before, commandStats(tb, c), commands...)
	return r
}

var scriptCommands = []string{"evalsha", "eval"}

func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 0 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[len(s)/2]
}

// realRedis returns the benchmark's Redis, skipping without a real one.
func realRedis(b *testing.B) *testenv.RedisServer {
	b.Helper()
	if !testenv.UsingRealRedis() {
		b.Skip("needs REDIS_URL (a Redis of its own): reads INFO commandstats")
	}
	return testenv.Redis(b)
}

// BenchmarkLimiterVsPing compares Limiter decisions through a batching
// RedisStore (as the example server makes them: a client without
// client-side caching, 64 callers, keys spread or one key, nothing denied;
// spread over 1,000 keys, each key holds more entries in its one-second
// window than a small value does)
// with PINGs through the same client, and reports decisions/s, pings/s,
// their ratio, and Redis µs per decision, per script call and per PING
// (commandstats: the commands alone) and Redis process CPU µs per decision
// and per PING (INFO cpu: with the network I/O).
func BenchmarkLimiterVsPing(b *testing.B) {
	for _, tc := range []struct {
		name string
		keys int64
	}{{"keys=10000", 10_000}, {"keys=1000", 1000}, {"keys=1", 1}} {
		b.Run(tc.name, func(b *testing.B) {
			srv := realRedis(b)
			c := srv.Client(b, func(o *rueidis.ClientOption) { o.DisableCache = true })
			store := ratelimit.NewRedisStore(c, ratelimit.RedisOptions{Prefix: srv.Prefix, Batch: true})
			// A generous timeout: this measures throughput, not failing open.
			l := ratelimit.New(store, ratelimit.Options{Timeout: 5 * time.Second})
			p := ratelimit.Policy{Name: "bench", Limit: ratelimit.MaxLimit, Window: time.Second}
			ctx := context.Background()
			d := phaseLength(b)
			var decisions, pings, ratio, usDecision, usCall, usPing, perCall, cpuDecision, cpuPing []float64
			var denied atomic.Int64
			limit := func(w int, i int64) error {
				key := strconv.FormatInt((int64(w)*7919+i)%tc.keys, 10)
				if r, _ := l.Allow(ctx, key, p); !r.Allowed {
					denied.Add(1)
				}
				return nil
			}
			ping := func(int, int64) error { return c.Do(ctx, c.B().Ping().Build()).Error() }
			b.ResetTimer()
			for i := range b.N {
				var lim, pg phaseResult
				if i%2 == 0 {
					lim = phase(b, c, d, scriptCommands, limit)
					pg = phase(b, c, d, []string{"ping"}, ping)
				} else {
					pg = phase(b, c, d, []string{"ping"}, ping)
					lim = phase(b, c, d, scriptCommands, limit)
				}
				n, np := lim.perSec*d.Seconds(), pg.perSec*d.Seconds()
				decisions, pings, ratio = append(decisions, lim.perSec), append(pings, pg.perSec), append(ratio, lim.perSec/pg.perSec)
				usDecision = append(usDecision, float64(lim.usec)/n)
				usCall = append(usCall, float64(lim.usec)/float64(max(lim.calls, 1)))
				perCall = append(perCall, n/float64(max(lim.calls, 1)))
				usPing = append(usPing, float64(pg.usec)/float64(max(pg.calls, 1)))
				cpuDecision, cpuPing = append(cpuDecision, lim.cpu/n), append(cpuPing, pg.cpu/np)
			}
			b.StopTimer()
			st := l.Stats()
			if st.FailedOpen > 0 || denied.Load() > 0 {
				b.Fatalf("%d decisions failed open and %d were denied, want none: the ratio would not compare decisions", st.FailedOpen, denied.Load())
			}
			b.ReportMetric(median(decisions), "decisions/s")
			b.ReportMetric(median(pings), "pings/s")
			b.ReportMetric(100*median(ratio), "%ping")
			b.ReportMetric(median(usDecision), "redis-µs/decision")
			b.ReportMetric(median(usCall), "redis-µs/call")
			b.ReportMetric(median(perCall), "decisions/call")
			b.ReportMetric(median(usPing), "redis-µs/ping")
			b.ReportMetric(median(cpuDecision), "redis-cpu-µs/decision")
			b.ReportMetric(median(cpuPing), "redis-cpu-µs/ping")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// BenchmarkHotKeyDenial floods one key that is over its limit from 64
// callers, with and without local denials, and reports requests/s and
// script calls/s.
func BenchmarkHotKeyDenial(b *testing.B) {
	srv := realRedis(b)
	c := srv.Client(b, func(o *rueidis.ClientOption) { o.DisableCache = true })
	p := ratelimit.Policy{Name: "login", Limit: 10, Window: time.Minute}
	ctx := context.Background()
	limiters := map[bool]*ratelimit.Limiter{}
	for _, local := range []bool{false, true} {
		store := ratelimit.NewRedisStore(c, ratelimit.RedisOptions{Prefix: srv.Prefix, Batch: true, DisableLocalDenials: !local})
		limiters[local] = ratelimit.New(store, ratelimit.Options{Timeout: 5 * time.Second})
	}
	for range p.Limit {
		limiters[false].Allow(ctx, "ip:192.0.2.66", p)
	}
	d := phaseLength(b)
	rps := map[bool][]float64{}
	cps := map[bool][]float64{}
	var allowed atomic.Int64
	b.ResetTimer()
	for i := range b.N {
		for _, local := range []bool{i%2 == 0, i%2 != 0} {
			l := limiters[local]
			r := phase(b, c, d, scriptCommands, func(int, int64) error {
				if r, _ := l.Allow(ctx, "ip:192.0.2.66", p); r.Allowed {
					allowed.Add(1)
				}
				return nil
			})
			rps[local] = append(rps[local], r.perSec)
			cps[local] = append(cps[local], float64(r.calls)/d.Seconds())
		}
	}
	b.StopTimer()
	if allowed.Load() > 0 {
		b.Fatalf("%d requests allowed on a key over its limit", allowed.Load())
	}
	b.ReportMetric(median(rps[false]), "req/s-remote")
	b.ReportMetric(median(cps[false]), "calls/s-remote")
	b.ReportMetric(median(rps[true]), "req/s-local")
	b.ReportMetric(median(cps[true]), "calls/s-local")
	b.ReportMetric(0, "ns/op")
}
