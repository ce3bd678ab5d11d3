# Sourced by load.sh, soak.sh and bench-report.sh: builds the example server
# and the load generator, gives the run its own PostgreSQL database and Redis
# key prefix, starts the server (and optionally the bare ceiling) and cleans
# every one of those up on exit. It never stops or restarts the shared Redis
# or PostgreSQL.
#
# Inputs (environment): PG_URL_BASE (default postgres://postgres@127.0.0.1:5432),
# REDIS_URL (default redis://127.0.0.1:6379), LOG_LEVEL (default warn).

set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"

PG_URL_BASE=${PG_URL_BASE:-postgres://postgres@127.0.0.1:5432}
LOAD_REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
LOAD_DB="groundwork_load_$$"
LOAD_PREFIX="gwload:$$:"
LOAD_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
LOAD_DIR=$(mktemp -d /tmp/groundwork-load.XXXXXX)
LOAD_PIDS=()

redis_host_port() { # redis://host:port → "-h host -p port"
  local hp=${LOAD_REDIS_URL#redis://}; hp=${hp%%/*}; hp=${hp%%\?*}
  echo "-h ${hp%:*} -p ${hp##*:}"
}

load_cleanup() {
  local rc=$?
  for pid in "${LOAD_PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  # shellcheck disable=SC2046
  redis-cli $(redis_host_port) --scan --pattern "${LOAD_PREFIX}*" 2>/dev/null |
    xargs -r -n 500 redis-cli $(redis_host_port) unlink >/dev/null 2>&1 || true
  psql "$PG_URL_BASE/postgres" -qc "DROP DATABASE IF EXISTS $LOAD_DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$LOAD_DIR"
  exit $rc
}
trap load_cleanup EXIT
trap 'exit 130' INT TERM

# load_build compiles the server and the load generator into $LOAD_DIR.
load_build() {
  go build -o "$LOAD_DIR/server" ./examples/server
  go build -o "$LOAD_DIR/loadtest" ./loadtest
}

# free_port prints a TCP port that is free on 127.0.0.1 right now, chosen
# below the kernel's ephemeral range, so that the load generator's own
# outgoing connections cannot take it before the server binds it.
free_port() {
  python3 - <<'PY'
import random, socket
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
for _ in range(200):
    port = random.randrange(10000, max(low, 10001))
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
else:
    raise SystemExit("no free port below the ephemeral range")
PY
}

# wait_health ADDR LOG: waits until the server at ADDR answers /health 200.
wait_health() {
  local i
  for i in $(seq 1 200); do
    curl -fs -o /dev/null "http://$1/health" && return 0
    sleep 0.05
  done
  echo "server did not become healthy; its log:" >&2; cat "$2" >&2; return 1
}

# wait_listening FILE: prints the address a starting bare server printed.
wait_listening() {
  local file=$1 i addr
  for i in $(seq 1 200); do
    addr=$(sed -n 's/^listening http:\/\/\(.*\)$/\1/p' "$file" | head -1)
    if [ -n "$addr" ]; then echo "$addr"; return 0; fi
    sleep 0.05
  done
  echo "process did not start; its output:" >&2; cat "$file" >&2; return 1
}

# load_start_server: creates the database and starts the server with rate
# limits raised (window 1 s, every tier 1,000,000: the limiter runs on every
# request but never denies). Sets SERVER_ADDR and SERVER_PID.
load_start_server() {
  psql "$PG_URL_BASE/postgres" -qc "CREATE DATABASE $LOAD_DB" >/dev/null
  load_run_server "${RATE_LIMIT_ENABLED:-true}" server
  SERVER_PID=$LAST_SERVER_PID
  SERVER_ADDR=$LAST_SERVER_ADDR
  load_server_alive
}

# load_start_server_nolimit: starts a second server on the same database,
# Redis prefix and secret (so the same tokens work) with rate limiting off,
# for the limiter's cost in pairs. Sets NOLIMIT_ADDR.
load_start_server_nolimit() {
  load_run_server false server-nolimit
  NOLIMIT_ADDR=$LAST_SERVER_ADDR
}

# load_run_server ENABLED NAME: starts a server (rate limiting ENABLED) that
# logs to $LOAD_DIR/NAME.log and waits until it is healthy. Limits are raised
# so that the load is measured, not refused: the rate limits, and the wait
# for a password-hashing slot (HASH_MAX_WAIT, 1 minute unless set), so the
# login and signup scenarios queue instead of answering 503. Sets
# LAST_SERVER_ADDR and LAST_SERVER_PID.
load_run_server() {
  local port; port=$(free_port)
  env -i PATH="$PATH" HOME="${HOME:-/tmp}" \
    PORT="$port" ENVIRONMENT=production LOG_LEVEL="${LOG_LEVEL:-warn}" LOG_FORMAT=text \
    SECRET_KEY="$LOAD_SECRET" \
    DATABASE_URL="$PG_URL_BASE/$LOAD_DB?sslmode=disable" \
    REDIS_URL="$LOAD_REDIS_URL" REDIS_KEY_PREFIX="$LOAD_PREFIX" \
    RATE_LIMIT_ENABLED="$1" \
    RATE_LIMIT_WINDOW=1 RATE_LIMIT_DEFAULT=1000000 RATE_LIMIT_STRICT=1000000 \
    RATE_LIMIT_LENIENT=1000000 RATE_LIMIT_USER=1000000 \
    HASH_MAX_WAIT="${HASH_MAX_WAIT:-1m}" METRICS_PUBLIC=true \
    "$LOAD_DIR/server" >"$LOAD_DIR/$2.log" 2>&1 &
  LAST_SERVER_PID=$!
  LOAD_PIDS+=("$LAST_SERVER_PID")
  LAST_SERVER_ADDR=127.0.0.1:$port
  wait_health "$LAST_SERVER_ADDR" "$LOAD_DIR/$2.log"
}

# load_start_bare: starts the bare ceiling handler. Sets BARE_ADDR.
load_start_bare() {
  "$LOAD_DIR/loadtest" -serve-bare 127.0.0.1:0 >"$LOAD_DIR/bare.log" 2>&1 &
  LOAD_PIDS+=("$!")
  BARE_ADDR=$(wait_listening "$LOAD_DIR/bare.log")
}

# load_start_bare_redis: starts the bare handler with one PING per request
# to $LOAD_REDIS_URL (the floor of a server that asks Redis once per
# request). Sets BARE_REDIS_ADDR.
load_start_bare_redis() {
  "$LOAD_DIR/loadtest" -serve-bare 127.0.0.1:0 -redis "$LOAD_REDIS_URL" >"$LOAD_DIR/bare-redis.log" 2>&1 &
  LOAD_PIDS+=("$!")
  BARE_REDIS_ADDR=$(wait_listening "$LOAD_DIR/bare-redis.log")
}

# load_server_alive fails when the server process has exited.
load_server_alive() {
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited; its log:" >&2; tail -50 "$LOAD_DIR/server.log" >&2; return 1; }
}
