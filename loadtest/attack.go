package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The attacks of issue 18, each a bounded run against one server on
// loopback (scripts/attacks.sh starts the servers with the settings each
// attack needs and runs it against the code before and after the fixes):
//
//   - login-flood: -conns concurrent logins, each for a new unknown user
//     from a new X-Forwarded-For address (the server must trust loopback
//     proxies), so no per-IP or per-name limit applies; meanwhile a
//     normal user logs in every -every. Reports the normal logins' latency
//     and how the attack requests were answered (503 with Retry-After, or
//     cut by the -timeout deadline: hanging).
//   - redis-login: -conns concurrent logins from one source address, each
//     for a new unknown user with a wrong password, against a server whose
//     Redis is slowed (a slow proxy). A 401 (or 200) means the attempt
//     reached password hashing; the strict tier should let at most its
//     limit through. With -metrics, the rate-limit decisions by outcome.
//     With -also-target, the connections are spread over several
//     instances sharing the Redis: at most limit × instances get through.
//   - idle-flood: -conns keep-alive connections, each from its own
//     127.x.y.z address, send one GET /nope and then stay idle, while
//     /health is probed every -every on a new connection.
//   - big-token: -conns connections send GET /api/v1/users/me with a
//     well-formed bogus bearer token of -token-bytes; reports the server's
//     CPU time per request (-pid, from /proc) and /health latency. With
//     -pad-bytes the requests also carry an X-Pad header of that size: a
//     short token with padding measures what the header bytes alone cost.
//   - key-rotation: one forwarded address spends its login budget (until a
//     429), -keys distinct forwarded addresses hit /health, then the first
//     address tries 20 more logins: those not denied are guesses granted
//     by the rotation.
var allAttacks = []string{"login-flood", "redis-login", "idle-flood", "big-token", "key-rotation"}

// attackResult is the figures of one attack run.
type attackResult struct {
	Attack   string             `json:"attack"`
	Label    string             `json:"label,omitempty"`
	Target   string             `json:"target"`
	Started  time.Time          `json:"started"`
	Settings map[string]string  `json:"settings"`
	Figures  map[string]float64 `json:"figures"`
}

func newAttackResult(f *flags, target *url.URL) *attackResult {
	return &attackResult{Attack: f.attack, Label: f.label, Target: target.String(), Started: time.Now().UTC(),
		Figures: map[string]float64{}, Settings: map[string]string{
			"conns": strconv.Itoa(f.conns), "duration": f.duration.String(), "timeout": f.timeout.String()}}
}

func (r *attackResult) set(name string, v float64) { r.Figures[name] = v }

// setLatency records the p50, p99 and max of h as NAME_p50_ms and so on.
func (r *attackResult) setLatency(name string, h *histogram) {
	r.set(name+"_p50_ms", ms(h.quantile(0.5)))
	r.set(name+"_p99_ms", ms(h.quantile(0.99)))
	r.set(name+"_max_ms", ms(h.quantile(1)))
}

// setFlood records a flood's outcomes as NAME_requests, NAME_401 and so on.
func (r *attackResult) setFlood(name string, s *floodStats) {
	r.set(name+"_requests", float64(s.requests()))
	if s.elapsed > 0 {
		r.set(name+"_seconds", s.elapsed.Seconds())
	}
	for code, n := range s.status {
		r.set(name+"_"+strconv.Itoa(code), float64(n))
	}
	r.set(name+"_503_retry_after", float64(s.retry503))
	r.set(name+"_timeouts", float64(s.timeouts))
	r.set(name+"_socket_errors", float64(s.errors))
	r.setLatency(name, &s.hist)
}

func (r *attackResult) markdown(w io.Writer) {
	fmt.Fprintf(w, "%s (%s) against %s:\n\n| Figure | Value |\n|---|--:|\n", r.Attack, r.Label, r.Target)
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range r.Figures {
			if !yield(k) {
				return
			}
		}
	}) {
		fmt.Fprintf(w, "| %s | %s |\n", k, strconv.FormatFloat(r.Figures[k], 'f', -1, 64))
	}
}

// wrongPassword is what the attacks guess; no account has it.
const wrongPassword = "not-the-password-1"

// loginRequest is a login form post for username.
func loginRequest(host, username, password string) []byte {
	form := url.Values{"username": {username}, "password": {password}}.Encode()
	return postRequest(host, "/api/v1/auth/login", "application/x-www-form-urlencoded", form)
}

func runAttack(ctx context.Context, f *flags, stdout io.Writer) error {
	target, err := loopbackTarget(f.target)
	if err != nil {
		return err
	}
	res := newAttackResult(f, target)
	tag := runID()
	switch f.attack {
	case "login-flood":
		err = loginFlood(ctx, f, target, tag, res)
	case "redis-login":
		err = redisLogin(ctx, f, target, tag, res)
	case "idle-flood":
		err = idleFlood(ctx, f, target, res)
	case "big-token":
		err = bigToken(ctx, f, target, res)
	case "key-rotation":
		err = keyRotation(ctx, f, target, tag, res)
	default:
		err = fmt.Errorf("unknown attack %q (want one of %s)", f.attack, strings.Join(allAttacks, ", "))
	}
	if err != nil {
		return fmt.Errorf("%s: %w", f.attack, err)
	}
	res.markdown(stdout)
	js, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if f.jsonOut != "" {
		return os.WriteFile(f.jsonOut, append(js, '\n'), 0o644)
	}
	fmt.Fprintf(stdout, "\n%s\n", js)
	return nil
}

// loginFlood: see allAttacks.
func loginFlood(ctx context.Context, f *flags, target *url.URL, tag string, res *attackResult) error {
	c := newClient(target)
	// Enough accounts that no one of them logs in more than 6 times, well
	// under a per-name strict limit of 10 per window.
	normals := int(f.duration/f.every)/6 + 1
	accounts, err := c.createAccounts(ctx, tag, normals)
	if err != nil {
		return fmt.Errorf("set-up: %w", err)
	}
	res.Settings["every"] = f.every.String()
	// The normal user logs in every -every while the attack lasts.
	stop := make(chan struct{})
	stopTimer := time.AfterFunc(f.duration, func() { close(stop) })
	defer stopTimer.Stop()
	var mu sync.Mutex
	normal := newFloodStats()
	var wg sync.WaitGroup
	wg.Go(func() {
		ticking(f.every, stop, func(k int) {
			a := accounts[k%len(accounts)]
			req := withHeader(loginRequest(target.Host, a.username, loadPassword), "X-Forwarded-For", "192.0.2."+strconv.Itoa(1+k%250))
			c := &conn{addr: target.Host, timeout: f.timeout}
			defer c.close()
			t := time.Now()
			status, _, err := c.roundTrip(req, false)
			lat := time.Since(t)
			mu.Lock()
			defer mu.Unlock()
			normal.record(c, status, err, lat)
			if err != nil { // a failed login counts in the latencies too
				normal.hist.record(lat)
			}
		})
	})
	atk := flood(ctx, target, floodOptions{conns: f.conns, duration: f.duration, timeout: f.timeout, local: spreadAddrs(target)},
		func(seq int64) []byte {
			return withHeader(loginRequest(target.Host, fmt.Sprintf("%sx%d", tag, seq), wrongPassword), "X-Forwarded-For", forwardedIP(seq))
		})
	wg.Wait()
	res.setFlood("attack", atk)
	res.setFlood("normal_login", normal)
	res.set("normal_login_200", float64(normal.status[200]))
	return nil
}

// spreadAddrs gives each connection its own 127.x.y.z source address when
// the target is IPv4, or nil.
func spreadAddrs(target *url.URL) func(int) net.Addr {
	if net.ParseIP(target.Hostname()).To4() == nil {
		return nil
	}
	return sourceAddr
}

// redisLogin: see allAttacks.
func redisLogin(ctx context.Context, f *flags, target *url.URL, tag string, res *attackResult) error {
	before, err := scrapeDecisions(f.metricsURL)
	if err != nil {
		return err
	}
	one := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 9)}
	var local func(int) net.Addr
	if net.ParseIP(target.Hostname()).To4() != nil {
		local = func(int) net.Addr { return one }
	}
	addrs := []string{target.Host}
	for _, raw := range splitList(f.alsoTargets) {
		u, err := loopbackTarget(raw)
		if err != nil {
			return err
		}
		addrs = append(addrs, u.Host)
	}
	res.Settings["instances"] = strconv.Itoa(len(addrs))
	atk := flood(ctx, target, floodOptions{conns: f.conns, duration: f.duration, timeout: f.timeout, local: local, addrs: addrs},
		func(seq int64) []byte {
			return loginRequest(target.Host, fmt.Sprintf("%sr%d", tag, seq), wrongPassword)
		})
	res.setFlood("attack", atk)
	res.set("reached_hashing", float64(atk.status[401]+atk.status[200]))
	after, err := scrapeDecisions(f.metricsURL)
	if err != nil {
		return err
	}
	for k, v := range after {
		if d := v - before[k]; d > 0 {
			res.set("decisions_"+k, d)
		}
	}
	if f.metricsURL != "" {
		// What the per-IP strict tier let through to the handler (and so to
		// the hashing queue), whether the client waited for it or not.
		var through float64
		for _, o := range []string{"allowed", "failed_open", "fallback_allowed"} {
			through += res.Figures["decisions_strict_"+o]
		}
		res.set("strict_let_through", through)
	}
	return nil
}

// decisionLine matches one rate-limit decision counter of the Prometheus
// text format.
var decisionLine = regexp.MustCompile(`^groundwork_ratelimit_decisions_total\{([^}]*)\} (\S+)$`)

var labelPair = regexp.MustCompile(`(\w+)="([^"]*)"`)

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	return slices.DeleteFunc(strings.Split(s, ","), func(x string) bool { return strings.TrimSpace(x) == "" })
}

// scrapeDecisions reads the rate-limit decision counters at the
// comma-separated metricsURLs (empty: none), summed over them and keyed
// "POLICY_OUTCOME".
func scrapeDecisions(metricsURLs string) (map[string]float64, error) {
	out := map[string]float64{}
	for _, raw := range splitList(metricsURLs) {
		u, err := loopbackTarget(raw)
		if err != nil {
			return nil, err
		}
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(u.String())
		if err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
		if resp.StatusCode != 200 {
			resp.Body.Close()
			return nil, fmt.Errorf("metrics %s: status %d", u, resp.StatusCode)
		}
		err = parseDecisions(resp.Body, out)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// parseDecisions adds the decision counters of a Prometheus text page to
// out.
func parseDecisions(r io.Reader, out map[string]float64) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		m := decisionLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		labels := map[string]string{}
		for _, p := range labelPair.FindAllStringSubmatch(m[1], -1) {
			labels[p[1]] = p[2]
		}
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			return fmt.Errorf("metrics line %q: %w", sc.Text(), err)
		}
		out[labels["policy"]+"_"+labels["outcome"]] += v
	}
	return sc.Err()
}

// idleFlood: see allAttacks.
func idleFlood(ctx context.Context, f *flags, target *url.URL, res *attackResult) error {
	res.Settings["every"] = f.every.String()
	rssBefore := procRSS(f.pid)
	stop := make(chan struct{})
	var ps *probeStats
	var pwg sync.WaitGroup
	pwg.Go(func() { ps = probe(target, getRequest(target.Host, "/health", ""), f.every, f.timeout, stop) })
	holdEnd := time.Now().Add(f.duration)
	type outcome int
	const (
		openFailed outcome = iota
		heldToEnd
		closedByServer
	)
	outcomes := make([]outcome, f.conns)
	local := spreadAddrs(target)
	var wg sync.WaitGroup
	for i := range f.conns {
		wg.Go(func() {
			c := &conn{addr: target.Host, timeout: f.timeout}
			if local != nil {
				c.local = local(i)
			}
			defer c.close()
			if _, _, err := c.roundTrip(getRequest(target.Host, "/nope", ""), false); err != nil {
				return // openFailed
			}
			outcomes[i] = closedByServer
			if c.c == nil { // the answer closed the connection
				return
			}
			c.c.SetReadDeadline(holdEnd)
			if _, err := c.br.ReadByte(); os.IsTimeout(err) {
				outcomes[i] = heldToEnd // nothing came, not even a close
			}
		})
	}
	wg.Wait()
	// Probe on to the end even when the server closed every connection.
	select {
	case <-ctx.Done():
	case <-time.After(time.Until(holdEnd)):
	}
	rssPeak := procRSS(f.pid)
	close(stop)
	pwg.Wait()
	var counts [3]float64
	for _, o := range outcomes {
		counts[o]++
	}
	res.set("idle_open_failed", counts[openFailed])
	res.set("idle_held_to_end", counts[heldToEnd])
	res.set("idle_closed_by_server", counts[closedByServer])
	res.setLatency("health", &ps.hist)
	res.set("health_ok", float64(ps.hist.n))
	res.set("health_failed", float64(ps.failures))
	if f.pid > 0 {
		res.set("server_rss_mb_before", rssBefore)
		res.set("server_rss_mb_end", rssPeak)
	}
	return nil
}

// procRSS is the resident set of process pid in MB, or NaN.
func procRSS(pid int) float64 {
	if pid <= 0 {
		return math.NaN()
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return math.NaN()
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err == nil {
				return math.Round(kb/1024*10) / 10
			}
		}
	}
	return math.NaN()
}

// procCPU is the user plus system CPU time process pid has used, from
// /proc/PID/stat, with clock ticks of clkTck per second.
func procCPU(pid, clkTck int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; fields after it start
	// with the state (field 3), so utime (14) and stime (15) are 11 and 12.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(fields))
	}
	var ticks int64
	for _, s := range fields[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / time.Duration(clkTck), nil
}

// bogusToken returns a well-formed HS256 JWT of about n bytes (within 3)
// whose claims are many small members and whose signature is random, so
// no server accepts it.
func bogusToken(n int) string {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	sig := make([]byte, 32)
	rand.Read(sig)
	signature := enc.EncodeToString(sig)
	now := time.Now().Unix()
	var claims strings.Builder
	fmt.Fprintf(&claims, `{"sub":"1","typ":"access","iat":%d,"exp":%d`, now, now+3600)
	fixed := len(header) + len(signature) + 2
	for i := 0; fixed+enc.EncodedLen(claims.Len()+1) < n; i++ {
		member := fmt.Sprintf(`,"c%d":%d`, i, i)
		if fixed+enc.EncodedLen(claims.Len()+len(member)+1) > n {
			// Pad the last bytes with spaces, which JSON allows.
			claims.WriteString(strings.Repeat(" ", (n-fixed-enc.EncodedLen(claims.Len()+1))*3/4))
			break
		}
		claims.WriteString(member)
	}
	claims.WriteString("}")
	return header + "." + enc.EncodeToString([]byte(claims.String())) + "." + signature
}

// bigToken: see allAttacks.
func bigToken(ctx context.Context, f *flags, target *url.URL, res *attackResult) error {
	if f.pid <= 0 {
		return fmt.Errorf("needs -pid (the server's process id) to read its CPU time")
	}
	tok := bogusToken(f.tokenBytes)
	res.Settings["token_bytes"] = strconv.Itoa(len(tok))
	req := getRequest(target.Host, "/api/v1/users/me", tok)
	if f.padBytes > 0 {
		// The same header bytes without the token's work: a control.
		req = withHeader(req, "X-Pad", strings.Repeat("p", f.padBytes))
		res.Settings["pad_bytes"] = strconv.Itoa(f.padBytes)
	}
	stop := make(chan struct{})
	var ps *probeStats
	var pwg sync.WaitGroup
	cpu0, err := procCPU(f.pid, f.clkTck)
	if err != nil {
		return err
	}
	pwg.Go(func() { ps = probe(target, getRequest(target.Host, "/health", ""), f.every, f.timeout, stop) })
	atk := flood(ctx, target, floodOptions{conns: f.conns, duration: f.duration, timeout: f.timeout, local: spreadAddrs(target)},
		func(int64) []byte { return req })
	cpu1, err := procCPU(f.pid, f.clkTck)
	close(stop)
	pwg.Wait()
	if err != nil {
		return err
	}
	res.setFlood("attack", atk)
	res.set("requests_per_second", math.Round(float64(atk.requests())/atk.elapsed.Seconds()))
	if n := atk.requests(); n > 0 {
		res.set("server_cpu_us_per_request", math.Round(float64((cpu1-cpu0).Microseconds())/float64(n)*10)/10)
	}
	res.setLatency("health", &ps.hist)
	res.set("health_failed", float64(ps.failures))
	return nil
}

// keyRotation: see allAttacks.
func keyRotation(ctx context.Context, f *flags, target *url.URL, tag string, res *attackResult) error {
	const victim = "198.51.100.7"
	c := &conn{addr: target.Host, timeout: f.timeout}
	defer c.close()
	try := func(n int, stopAtDenial bool) (granted, denied int, err error) {
		for i := range n {
			req := withHeader(loginRequest(target.Host, fmt.Sprintf("%sk%d_%d", tag, n, i), wrongPassword), "X-Forwarded-For", victim)
			status, _, err := c.roundTrip(req, false)
			switch {
			case err != nil:
				return granted, denied, err
			case status == 429:
				denied++
				if stopAtDenial {
					return granted, denied, nil
				}
			case status == 401 || status == 200:
				granted++
			default:
				return granted, denied, fmt.Errorf("login: status %d, want 401 or 429", status)
			}
		}
		return granted, denied, nil
	}
	spent, denied, err := try(1000, true)
	if err != nil {
		return err
	}
	if denied == 0 {
		return fmt.Errorf("1000 logins from one address were never denied: is the server's strict limit low and TRUSTED_PROXIES set?")
	}
	res.set("guesses_before_denial", float64(spent))
	res.Settings["keys"] = strconv.Itoa(f.keys)
	rot := flood(ctx, target, floodOptions{conns: f.conns, duration: f.duration, timeout: f.timeout, requests: int64(f.keys), local: spreadAddrs(target)},
		func(seq int64) []byte {
			return withHeader(getRequest(target.Host, "/health", ""), "X-Forwarded-For", forwardedIP(seq))
		})
	res.setFlood("rotation", rot)
	granted, _, err := try(20, false)
	if err != nil {
		return err
	}
	res.set("guesses_after_rotation", float64(granted))
	return nil
}
