// Command loadtest drives the example server on loopback and reports
// requests/s, p50/p99 latency and status and socket-error counts per
// endpoint, as JSON and as a markdown table.
//
//	go run ./loadtest -serve-bare 127.0.0.1:8800          # the bare ceiling, in its own process
//	go run ./loadtest -serve-bare 127.0.0.1:8801 -redis redis://127.0.0.1:6379   # bare + one PING
//	go run ./loadtest -target http://127.0.0.1:8799 -bare http://127.0.0.1:8800 \
//	    -bare-redis http://127.0.0.1:8801 -duration 60s -conns 256 -json load.json -md load.md
//
// Scenarios (run in this order): health (GET /health), me (warm GET
// /api/v1/users/me with the access tokens of -users users signed up during
// set-up), login, signup (a new user per request), refresh (one rotating
// refresh-token chain per connection), bare (the same /users/me JSON from
// a bare net/http handler, the ceiling) and bare-redis (the bare handler
// after one Redis PING per request: the floor of any server that asks Redis
// once per request; run by default only with -bare-redis) and me-nolimit
// (me on a second server with rate limiting off, sharing the first one's
// database, Redis and secret; run by default only with -target-nolimit).
// Every connection is a keep-alive
// HTTP/1.1 connection, by default from its own 127.x.y.z source address so
// per-IP rate limits see many clients. Each scenario is bounded by
// -duration and by -requests; both have hard caps. Only loopback targets are
// accepted.
//
// With -attack NAME it instead runs one of the attacks of issue 18
// (login-flood, redis-login, idle-flood, big-token, key-rotation; see
// allAttacks in attack.go) against one server and reports its figures;
// with -serve-slow-proxy it serves a TCP proxy that delays a Redis's
// replies. scripts/attacks.sh runs every attack against fresh servers,
// before and after a change.
//
// The server's rate limits must be raised for a load run (set-up signs up
// many users from one address), e.g. RATE_LIMIT_WINDOW=1 and every
// RATE_LIMIT_* tier at 1000000.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Hard caps, whatever the flags say.
const (
	maxDuration = 15 * time.Minute
	maxConns    = 4096
	maxRequests = 100_000_000
	maxUsers    = 10_000
	maxKeys     = 1_000_000
)

// allScenarios is also the default order: bare runs right after me, so the
// ratio of the two compares runs seconds apart rather than minutes (the
// machine's speed drifts).
var allScenarios = []string{"health", "me", "me-nolimit", "bare", "bare-redis", "login", "signup", "refresh"}

type flags struct {
	target, bare, serveBare string
	bareRedis, redisURL     string
	targetNoLimit           string
	scenarios               string
	duration, warmup        time.Duration
	timeout                 time.Duration
	conns, users            int
	requests                int64
	spread                  bool
	jsonOut, mdOut          string
	strict                  bool

	// Attacks (see allAttacks) and the slow Redis proxy.
	attack, label, metricsURL string
	alsoTargets               string
	pid, clkTck, tokenBytes   int
	padBytes                  int
	keys                      int
	every                     time.Duration
	serveSlowProxy, upstream  string
	delay                     time.Duration
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := mainErr(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (*flags, error) {
	f := &flags{}
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.StringVar(&f.target, "target", "http://127.0.0.1:8799", "example server base URL (loopback only)")
	fs.StringVar(&f.bare, "bare", "", "base URL of a bare server started with -serve-bare (needed by the bare scenario)")
	fs.StringVar(&f.serveBare, "serve-bare", "", "serve the bare ceiling handler on this loopback address instead of generating load")
	fs.StringVar(&f.targetNoLimit, "target-nolimit", "", "base URL of the example server with rate limiting off, sharing -target's database, Redis and secret (needed by me-nolimit)")
	fs.StringVar(&f.bareRedis, "bare-redis", "", "base URL of a server started with -serve-bare and -redis (needed by the bare-redis scenario)")
	fs.StringVar(&f.redisURL, "redis", "", "with -serve-bare: PING this Redis once per request (the bare-redis server)")
	fs.StringVar(&f.scenarios, "scenarios", "", "comma-separated scenarios to run, in the given order (default "+strings.Join(allScenarios, ",")+", me-nolimit only with -target-nolimit, bare-redis only with -bare-redis)")
	fs.DurationVar(&f.duration, "duration", 10*time.Second, "measured time per scenario (hard cap 15m)")
	fs.DurationVar(&f.warmup, "warmup", time.Second, "unrecorded warm-up per scenario on the same connections")
	fs.DurationVar(&f.timeout, "timeout", 10*time.Second, "per-request I/O deadline; a request past it is a socket error")
	fs.IntVar(&f.conns, "conns", 256, "concurrent keep-alive connections (hard cap 4096)")
	fs.IntVar(&f.users, "users", 256, "users signed up during set-up for me, login and refresh (hard cap 10000)")
	fs.Int64Var(&f.requests, "requests", 10_000_000, "cap on recorded requests per scenario (hard cap 100000000)")
	fs.BoolVar(&f.spread, "spread-ips", true, "give each connection its own 127.x.y.z source address")
	fs.StringVar(&f.jsonOut, "json", "", "write the JSON report to this file (default: stdout after the table)")
	fs.StringVar(&f.mdOut, "md", "", "write the markdown table to this file (default: stdout)")
	fs.BoolVar(&f.strict, "strict", false, "exit with an error when any request got a 5xx or a socket error")
	fs.StringVar(&f.attack, "attack", "", "run one attack of issue 18 instead of the scenarios: "+strings.Join(allAttacks, ", ")+" (see scripts/attacks.sh)")
	fs.StringVar(&f.label, "label", "", "with -attack: a label for the report (e.g. before or after)")
	fs.StringVar(&f.metricsURL, "metrics", "", "with -attack redis-login: the servers' /metrics URLs (loopback, comma-separated), for rate-limit decisions by outcome")
	fs.StringVar(&f.alsoTargets, "also-target", "", "with -attack redis-login: more instances (base URLs, comma-separated) to spread the connections over")
	fs.IntVar(&f.pid, "pid", 0, "with -attack: the server's process id, for its CPU time and memory from /proc (needed by big-token)")
	fs.IntVar(&f.clkTck, "clk-tck", 100, "clock ticks per second of /proc/PID/stat (getconf CLK_TCK)")
	fs.IntVar(&f.tokenBytes, "token-bytes", 28<<10, "with -attack big-token: length of the bogus bearer token")
	fs.IntVar(&f.padBytes, "pad-bytes", 0, "with -attack big-token: also send an X-Pad header of this many bytes (a control for the header's size)")
	fs.IntVar(&f.keys, "keys", 120_000, "with -attack key-rotation: distinct forwarded addresses that hit /health")
	fs.DurationVar(&f.every, "every", time.Second, "with -attack: interval of the normal user's logins (login-flood) or of the /health probes")
	fs.StringVar(&f.serveSlowProxy, "serve-slow-proxy", "", "serve a TCP proxy on this loopback address that delays every reply of -upstream by -delay, instead of generating load")
	fs.StringVar(&f.upstream, "upstream", "127.0.0.1:6379", "with -serve-slow-proxy: the loopback address to forward to (a Redis)")
	fs.DurationVar(&f.delay, "delay", 80*time.Millisecond, "with -serve-slow-proxy: how long each reply is held")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if f.scenarios == "" {
		f.scenarios = strings.Join(slices.DeleteFunc(slices.Clone(allScenarios), func(n string) bool {
			return n == "bare-redis" && f.bareRedis == "" || n == "me-nolimit" && f.targetNoLimit == ""
		}), ",")
	}
	switch {
	case f.duration <= 0 || f.duration > maxDuration:
		return nil, fmt.Errorf("-duration %v: must be in (0, %v]", f.duration, maxDuration)
	case f.warmup < 0 || f.warmup > maxDuration:
		return nil, fmt.Errorf("-warmup %v: must be in [0, %v]", f.warmup, maxDuration)
	case f.conns < 1 || f.conns > maxConns:
		return nil, fmt.Errorf("-conns %d: must be in [1, %d]", f.conns, maxConns)
	case f.users < 1 || f.users > maxUsers:
		return nil, fmt.Errorf("-users %d: must be in [1, %d]", f.users, maxUsers)
	case f.requests < 1 || f.requests > maxRequests:
		return nil, fmt.Errorf("-requests %d: must be in [1, %d]", f.requests, maxRequests)
	case f.timeout <= 0 || f.timeout > time.Minute:
		return nil, fmt.Errorf("-timeout %v: must be in (0, 1m]", f.timeout)
	case f.every <= 0 || f.every > time.Minute:
		return nil, fmt.Errorf("-every %v: must be in (0, 1m]", f.every)
	case f.keys < 1 || f.keys > maxKeys:
		return nil, fmt.Errorf("-keys %d: must be in [1, %d]", f.keys, maxKeys)
	case f.tokenBytes < 64 || f.tokenBytes > 1<<20:
		return nil, fmt.Errorf("-token-bytes %d: must be in [64, %d]", f.tokenBytes, 1<<20)
	case f.padBytes < 0 || f.padBytes > 30<<10:
		return nil, fmt.Errorf("-pad-bytes %d: must be in [0, %d]", f.padBytes, 30<<10)
	case f.delay < 0 || f.delay > 10*time.Second:
		return nil, fmt.Errorf("-delay %v: must be in [0, 10s]", f.delay)
	case f.clkTck < 1:
		return nil, fmt.Errorf("-clk-tck %d: must be positive", f.clkTck)
	}
	return f, nil
}

func mainErr(ctx context.Context, args []string, stdout io.Writer) error {
	f, err := parseFlags(args)
	if err != nil {
		return err
	}
	if f.serveBare != "" {
		return serveBare(ctx, f.serveBare, f.redisURL)
	}
	if f.serveSlowProxy != "" {
		return serveSlowProxy(ctx, f.serveSlowProxy, f.upstream, f.delay)
	}
	if f.attack != "" {
		return runAttack(ctx, f, stdout)
	}
	rep, err := generate(ctx, f)
	if err != nil {
		return err
	}
	if err := writeReport(rep, f, stdout); err != nil {
		return err
	}
	if f.strict {
		for _, r := range rep.Results {
			if r.Status5xx > 0 || r.SocketErrors > 0 {
				return fmt.Errorf("%s: %d 5xx and %d socket errors, want none", r.Scenario, r.Status5xx, r.SocketErrors)
			}
		}
	}
	return nil
}

// generate sets up what the chosen scenarios need and runs them in order.
func generate(ctx context.Context, f *flags) (*report, error) {
	target, err := loopbackTarget(f.target)
	if err != nil {
		return nil, err
	}
	names := strings.Split(f.scenarios, ",")
	need := map[string]bool{}
	for _, n := range names {
		if !slices.Contains(allScenarios, n) {
			return nil, fmt.Errorf("unknown scenario %q (want some of %s)", n, strings.Join(allScenarios, ","))
		}
		need[n] = true
	}
	tag := runID()
	c := newClient(target)
	var accounts []account
	var chains []string
	if need["me"] || need["me-nolimit"] || need["login"] || need["refresh"] || need["bare"] || need["bare-redis"] {
		if accounts, err = c.createAccounts(ctx, tag, f.users); err != nil {
			return nil, fmt.Errorf("set-up: %w", err)
		}
	}
	if need["refresh"] {
		if chains, err = c.refreshChains(ctx, accounts, f.conns); err != nil {
			return nil, fmt.Errorf("set-up: %w", err)
		}
	}
	opts := runOptions{conns: f.conns, duration: f.duration, warmup: min(f.warmup, f.duration), requests: f.requests, timeout: f.timeout, spread: f.spread}
	rep := newReport(target.String(), f.users)
	for _, name := range names {
		sc, err := buildScenario(name, target, f, tag, accounts, chains)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(os.Stderr, "loadtest: %s: %d connections, %v\n", name, opts.conns, opts.duration)
		rep.Results = append(rep.Results, run(ctx, sc, opts))
		if ctx.Err() != nil {
			return nil, errors.New("interrupted")
		}
	}
	rep.computeRatio()
	return rep, nil
}

func buildScenario(name string, target *url.URL, f *flags, tag string, accounts []account, chains []string) (*scenario, error) {
	switch name {
	case "health":
		return healthScenario(target), nil
	case "me":
		return meScenario("me", target, accounts), nil
	case "login":
		return loginScenario(target, accounts), nil
	case "signup":
		return signupScenario(target, tag), nil
	case "refresh":
		return refreshScenario(target, chains), nil
	case "bare", "bare-redis", "me-nolimit":
		base, needs := f.bare, "-bare (a server started with -serve-bare)"
		switch name {
		case "bare-redis":
			base, needs = f.bareRedis, "-bare-redis (a server started with -serve-bare and -redis)"
		case "me-nolimit":
			base, needs = f.targetNoLimit, "-target-nolimit (the example server with RATE_LIMIT_ENABLED=false)"
		}
		if base == "" {
			return nil, fmt.Errorf("the %s scenario needs %s", name, needs)
		}
		u, err := loopbackTarget(base)
		if err != nil {
			return nil, err
		}
		return meScenario(name, u, accounts), nil
	}
	return nil, fmt.Errorf("unknown scenario %q (want one of %s)", name, strings.Join(allScenarios, ", "))
}

func runID() string {
	var b [4]byte
	rand.Read(b[:])
	return "lt" + hex.EncodeToString(b[:])
}

func writeReport(rep *report, f *flags, stdout io.Writer) error {
	var md strings.Builder
	rep.markdown(&md)
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if f.mdOut != "" {
		if err := os.WriteFile(f.mdOut, []byte(md.String()), 0o644); err != nil {
			return err
		}
	}
	if f.jsonOut != "" {
		if err := os.WriteFile(f.jsonOut, append(js, '\n'), 0o644); err != nil {
			return err
		}
	}
	io.WriteString(stdout, md.String())
	if f.jsonOut == "" {
		fmt.Fprintf(stdout, "\n%s\n", js)
	}
	return nil
}
