#!/usr/bin/env bash
# Re-runs the five attacks of issue 18 against the example server, each
# bounded in time and count, on loopback only (go run ./loadtest -h, -attack):
#
#   login-flood   1,500 concurrent logins from as many forwarded addresses,
#                 a normal user logging in every second meanwhile
#   redis-login   one address, 512 concurrent logins, Redis slowed by a
#                 proxy that holds every reply 80 ms (RATE_LIMIT_TIMEOUT
#                 is 50 ms); counts the attempts that reached hashing, with
#                 one instance and with two sharing the Redis
#   idle-flood    4,000 idle keep-alive connections from as many 127.x
#                 addresses against a server limited to 2,048 descriptors,
#                 /health probed every 100 ms on new connections
#   big-token     32 connections sending a 28 KB bogus bearer token (and a
#                 short one, and a short one with 28 KB of another header,
#                 for reference); server CPU time per request
#   key-rotation  one forwarded address spends its login budget, 120,000
#                 forwarded addresses hit /health, the first tries again
#
# Usage:
#   scripts/attacks.sh [-b BEFORE_TREE] [-o OUT_DIR] [ATTACK ...]
#
# With -b (a checkout of the code before the fixes, e.g. a worktree at
# 1a1e8ed) every attack runs against that tree's server ("before") and then
# this tree's ("after"), each on a fresh server; the JSON of each run goes
# to OUT_DIR (default: a new directory under /tmp) and a before/after table
# of the headline figures is printed at the end. Settings the code before
# the fixes does not know (TOKEN_MAX_LENGTH, ...) are ignored by it.
#
# The servers run in production mode with the embedded SQLite store; the
# redis-login servers use the Redis at REDIS_URL (default
# redis://127.0.0.1:6379) through the slow proxy, under their own key
# prefix, removed on exit. Each server is stopped after its attack.
BEFORE_TREE=""
OUT_DIR=""
while getopts "b:o:" opt; do
  case $opt in
    b) BEFORE_TREE=$(cd "$OPTARG" && pwd) ;;
    o) mkdir -p "$OPTARG"; OUT_DIR=$(cd "$OPTARG" && pwd) ;;
    *) echo "usage: $0 [-b BEFORE_TREE] [-o OUT_DIR] [ATTACK ...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
source "$(dirname "$0")/loadenv.sh"
ATTACKS=("$@")
[ ${#ATTACKS[@]} -gt 0 ] || ATTACKS=(login-flood redis-login idle-flood big-token key-rotation)
OUT_DIR=${OUT_DIR:-$(mktemp -d /tmp/groundwork-attacks.XXXXXX)}
mkdir -p "$OUT_DIR"
CLK_TCK=$(getconf CLK_TCK)

go build -o "$LOAD_DIR/loadtest" ./loadtest
go build -o "$LOAD_DIR/server-after" ./examples/server
LABELS=(after)
if [ -n "$BEFORE_TREE" ]; then
  (cd "$BEFORE_TREE" && go build -o "$LOAD_DIR/server-before" ./examples/server)
  LABELS=(before after)
fi

# attack_server LABEL NOFILE [NAME=VALUE ...]: starts the LABEL server with
# at most NOFILE file descriptors, a fresh SQLite database, /metrics on a
# port of its own and the given settings. Sets SRV_PID, SRV_ADDR, SRV_METRICS.
attack_server() {
  local label=$1 nofile=$2; shift 2
  local port mport log="$LOAD_DIR/server-$label-$RANDOM.log"
  port=$(free_port); mport=$(free_port)
  prlimit --nofile="$nofile:$nofile" env -i PATH="$PATH" HOME="${HOME:-/tmp}" \
    PORT="$port" ENVIRONMENT=production LOG_LEVEL="${LOG_LEVEL:-warn}" LOG_FORMAT=text \
    SECRET_KEY="$LOAD_SECRET" DATABASE_URL="sqlite:$LOAD_DIR/db-$label-$RANDOM.sqlite" \
    METRICS_ADDR="127.0.0.1:$mport" SHUTDOWN_TIMEOUT=2s "$@" \
    "$LOAD_DIR/server-$label" >"$log" 2>&1 &
  SRV_PID=$!
  LOAD_PIDS+=("$SRV_PID")
  SRV_ADDR=127.0.0.1:$port
  SRV_METRICS=http://127.0.0.1:$mport/metrics
  SRV_LOG=$log
  wait_health "$SRV_ADDR" "$log"
}

stop_server() {
  kill "$SRV_PID" 2>/dev/null || true
  wait "$SRV_PID" 2>/dev/null || true
  if grep -q "too many open files" "$SRV_LOG"; then
    echo "  (server log: $(grep -c 'too many open files' "$SRV_LOG") lines 'too many open files')" >&2
  fi
}

# start_slow_proxy: a proxy to the Redis that holds every reply 80 ms. Sets
# PROXY_ADDR.
start_slow_proxy() {
  local hp=${LOAD_REDIS_URL#redis://}; hp=${hp%%/*}; hp=${hp%%\?*}
  "$LOAD_DIR/loadtest" -serve-slow-proxy 127.0.0.1:0 -upstream "$hp" -delay 80ms >"$LOAD_DIR/proxy.log" 2>&1 &
  LOAD_PIDS+=("$!")
  local i
  for i in $(seq 1 100); do
    PROXY_ADDR=$(sed -n 's/^listening \(.*\)$/\1/p' "$LOAD_DIR/proxy.log" | head -1)
    [ -n "$PROXY_ADDR" ] && return 0
    sleep 0.05
  done
  echo "slow proxy did not start:" >&2; cat "$LOAD_DIR/proxy.log" >&2; return 1
}

# attack NAME LABEL VARIANT LOADTEST_FLAGS... : runs one attack against the
# running server and writes OUT_DIR/NAME-VARIANT-LABEL.json.
attack() {
  local name=$1 label=$2 variant=$3; shift 3
  echo "== $name $variant ($label): ${*}" >&2
  "$LOAD_DIR/loadtest" -attack "$name" -label "$label" -target "http://$SRV_ADDR" -pid "$SRV_PID" \
    -clk-tck "$CLK_TCK" -json "$OUT_DIR/$name-$variant-$label.json" "$@" >&2
  kill -0 "$SRV_PID" 2>/dev/null || { echo "server exited; its log:" >&2; tail -20 "$SRV_LOG" >&2; return 1; }
}

for name in "${ATTACKS[@]}"; do
  for label in "${LABELS[@]}"; do
    case $name in
    login-flood)
      attack_server "$label" 20000 TRUSTED_PROXIES=127.0.0.0/8
      attack login-flood "$label" default -conns 1500 -duration 15s -timeout 15s -every 1s
      stop_server ;;
    redis-login)
      # RATE_LIMIT_DEFAULT is raised so that a wrong password always answers
      # 401 (after the fixes, failed authentications also count against the
      # default tier and turn to 429, which would hide attempts that were
      # hashed): 401 = reached hashing, 429 = denied before it.
      [ -n "${PROXY_ADDR:-}" ] || start_slow_proxy
      attack_server "$label" 20000 REDIS_URL="redis://$PROXY_ADDR" REDIS_KEY_PREFIX="${LOAD_PREFIX}$label:" \
        RATE_LIMIT_DEFAULT=1000000
      attack redis-login "$label" default -conns 512 -duration 15s -timeout 15s -metrics "$SRV_METRICS"
      stop_server
      # Two instances sharing the Redis (and its slowness): at most 2 × 10.
      attack_server "$label" 20000 REDIS_URL="redis://$PROXY_ADDR" REDIS_KEY_PREFIX="${LOAD_PREFIX}$label-2:" \
        RATE_LIMIT_DEFAULT=1000000
      first=("$SRV_PID" "$SRV_ADDR" "$SRV_METRICS" "$SRV_LOG")
      attack_server "$label" 20000 REDIS_URL="redis://$PROXY_ADDR" REDIS_KEY_PREFIX="${LOAD_PREFIX}$label-2:" \
        RATE_LIMIT_DEFAULT=1000000
      attack redis-login "$label" two -conns 512 -duration 15s -timeout 15s \
        -also-target "http://${first[1]}" -metrics "$SRV_METRICS,${first[2]}"
      stop_server
      SRV_PID=${first[0]} SRV_LOG=${first[3]}
      stop_server ;;
    idle-flood)
      attack_server "$label" 2048
      attack idle-flood "$label" default -conns 4000 -duration 20s -timeout 3s -every 100ms
      stop_server ;;
    big-token)
      # The default tier is raised so that every request is answered by the
      # token check (401), not by the per-IP limit on failed authentications.
      attack_server "$label" 20000 RATE_LIMIT_DEFAULT=1000000
      attack big-token "$label" short -conns 32 -duration 8s -timeout 5s -every 100ms -token-bytes 200
      attack big-token "$label" default -conns 32 -duration 8s -timeout 5s -every 100ms -token-bytes 28672
      # The control: a short token and 28 KB of another header.
      attack big-token "$label" padded -conns 32 -duration 8s -timeout 5s -every 100ms -token-bytes 200 -pad-bytes 28472
      stop_server
      if [ "$label" = after ]; then
        attack_server "$label" 20000 RATE_LIMIT_DEFAULT=1000000 TOKEN_MAX_LENGTH=65536
        attack big-token "$label" raised -conns 32 -duration 8s -timeout 5s -every 100ms -token-bytes 28672
        stop_server
      fi ;;
    key-rotation)
      attack_server "$label" 20000 TRUSTED_PROXIES=127.0.0.0/8
      attack key-rotation "$label" default -conns 32 -keys 120000 -duration 30s -timeout 5s
      stop_server ;;
    *) echo "unknown attack $name" >&2; exit 2 ;;
    esac
  done
done

# The headline figures, before and after.
python3 - "$OUT_DIR" <<'PY'
import json, os, sys
out = sys.argv[1]
rows = [
    ("login-flood", "default", "normal_login_p50_ms", "normal-user login p50 during the login flood (ms)"),
    ("login-flood", "default", "normal_login_max_ms", "normal-user login max (ms)"),
    ("login-flood", "default", "normal_login_200", "normal-user logins answered 200"),
    ("login-flood", "default", "normal_login_requests", "normal-user logins tried"),
    ("login-flood", "default", "attack_503_retry_after", "attack logins answered 503 with Retry-After"),
    ("login-flood", "default", "attack_timeouts", "attack logins hanging past the 15 s client timeout"),
    ("login-flood", "default", "attack_requests", "attack logins sent"),
    ("redis-login", "default", "strict_let_through", "slow Redis, one IP at 512 concurrent: logins let through the strict limit of 10"),
    ("redis-login", "default", "reached_hashing", "  of which answered 401 (hashed before the client's 15 s timeout)"),
    ("redis-login", "default", "attack_429", "  logins denied 429"),
    ("redis-login", "default", "attack_requests", "  attempts sent"),
    ("redis-login", "two", "strict_let_through", "the same against two instances: let through (limit × instances = 20)"),
    ("redis-login", "two", "reached_hashing", "  of which answered 401"),
    ("idle-flood", "default", "health_p50_ms", "/health p50 during the idle-connection flood (ms)"),
    ("idle-flood", "default", "health_max_ms", "/health max (ms)"),
    ("idle-flood", "default", "health_failed", "/health probes failed (3 s timeout)"),
    ("idle-flood", "default", "idle_held_to_end", "idle connections held for the whole run"),
    ("idle-flood", "default", "health_ok", "/health probes answered 200"),
    ("big-token", "short", "server_cpu_us_per_request", "CPU per request, 200-byte bogus token (µs)"),
    ("big-token", "default", "server_cpu_us_per_request", "CPU per request, 28 KB bogus token (µs)"),
    ("big-token", "raised", "server_cpu_us_per_request", "CPU per request, 28 KB, TOKEN_MAX_LENGTH=65536 (µs)"),
    ("big-token", "padded", "server_cpu_us_per_request", "CPU per request, 200-byte token + 28 KB X-Pad header: the header bytes alone (µs)"),
    ("big-token", "default", "health_p50_ms", "/health p50 during the 28 KB token flood (ms)"),
    ("key-rotation", "default", "guesses_before_denial", "key rotation: guesses before the first 429"),
    ("key-rotation", "default", "rotation_requests", "  distinct forwarded addresses on /health"),
    ("key-rotation", "default", "guesses_after_rotation", "  guesses granted after the rotation (want 0)"),
]
def fig(name, variant, label, key):
    p = os.path.join(out, f"{name}-{variant}-{label}.json")
    if not os.path.exists(p):
        return ""
    v = json.load(open(p))["figures"].get(key)
    return "" if v is None else f"{v:g}"
print("\n| Figure | Before | After |\n|---|--:|--:|")
for name, variant, key, title in rows:
    b, a = fig(name, variant, "before", key), fig(name, variant, "after", key)
    if b or a:
        print(f"| {title} | {b or '–'} | {a or '–'} |")
print(f"\n(JSON of every run in {out})")
PY
