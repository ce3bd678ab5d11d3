#!/usr/bin/env bash
# The headline pairs measured with wrk (Debian package wrk), a lighter load
# generator than ./loadtest, so more of the machine's CPU is left to the
# servers (which changes the ratios): warm GET /api/v1/users/me with one
# user's token against the example server with the rate limiter (me), the
# same server with it off (me-nolimit), the bare net/http handler (bare) and
# the bare handler after one Redis PING per request (bare-redis), in turn,
# for PAIRS rounds. Prints requests/s per run and the median ratios.
#
#   scripts/load-wrk.sh                 # PAIRS=3 WRK_DURATION=10s WRK_THREADS=2 WRK_CONNS=64
source "$(dirname "$0")/loadenv.sh"
command -v wrk >/dev/null || { echo "wrk not found (Debian package wrk)" >&2; exit 1; }
PAIRS=${PAIRS:-3}
WRK_DURATION=${WRK_DURATION:-10s}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNS=${WRK_CONNS:-64}

load_build
load_start_server
load_start_server_nolimit
load_start_bare
load_start_bare_redis

user="wrk$$"
curl -fsS -o /dev/null -X POST "http://$SERVER_ADDR/api/v1/auth/signup" \
  --data-urlencode "username=$user" --data-urlencode "email=$user@example.com" \
  --data-urlencode "password=wrk-load-pass-123" --data-urlencode "first_name=Load" --data-urlencode "last_name=Test"
token=$(curl -fsS -X POST "http://$SERVER_ADDR/api/v1/auth/login" \
  --data-urlencode "username=$user" --data-urlencode "password=wrk-load-pass-123" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')

# rps NAME ADDR: one wrk run; prints "NAME requests/s".
rps() {
  local out
  out=$(wrk -t "$WRK_THREADS" -c "$WRK_CONNS" -d "$WRK_DURATION" --timeout 10s \
    -H "Authorization: Bearer $token" "http://$2/api/v1/users/me")
  if grep -q "Non-2xx" <<<"$out"; then echo "$1: non-2xx answers:" >&2; echo "$out" >&2; return 1; fi
  echo "$1 $(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")"
}

results=$(for _ in $(seq "$PAIRS"); do
  rps me "$SERVER_ADDR"
  rps me-nolimit "$NOLIMIT_ADDR"
  rps bare "$BARE_ADDR"
  rps bare-redis "$BARE_REDIS_ADDR"
done)
load_server_alive
echo "$results"
python3 - "$results" <<'PY'
import statistics, sys
runs = [line.split() for line in sys.argv[1].splitlines()]
by = {}
for name, rps in runs:
    by.setdefault(name, []).append(float(rps))
def ratio(a, b):
    pairs = [x / y for x, y in zip(by[a], by[b])]
    return f"{a} / {b}: median {100 * statistics.median(pairs):.1f}% ({', '.join(f'{100 * p:.1f}%' for p in pairs)})"
for a, b in [("me", "me-nolimit"), ("me", "bare"), ("bare-redis", "bare"), ("me", "bare-redis")]:
    print(ratio(a, b))
PY
