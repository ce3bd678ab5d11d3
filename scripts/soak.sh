#!/usr/bin/env bash
# Soak test: drives the example server (PostgreSQL and Redis) for
# SOAK_SECONDS (default 600) with warm /users/me, refresh and login load at
# once, samples go_goroutines, go_memstats_heap_inuse_bytes and
# process_resident_memory_bytes from /metrics every SAMPLE_SECONDS (default
# SOAK_SECONDS/20, at most 30), and fails when they grow: the mean of the last third of the samples
# may exceed the mean of the middle third (the first third is warm-up) by at
# most 15% plus a small absolute slack, and once the load stops the
# goroutine count must return to within 20 of its idle value. Also fails on
# any 5xx or socket error.
#
#   scripts/soak.sh                       # 10 minutes
#   SOAK_SECONDS=120 scripts/soak.sh      # quicker
source "$(dirname "$0")/loadenv.sh"
SOAK_SECONDS=${SOAK_SECONDS:-600}
SAMPLE_SECONDS=${SAMPLE_SECONDS:-$(( SOAK_SECONDS / 20 > 30 ? 30 : SOAK_SECONDS / 20 ))}
CONNS=${CONNS:-64}
if [ "$SOAK_SECONDS" -lt 30 ] || [ "$SOAK_SECONDS" -gt 900 ]; then echo "SOAK_SECONDS must be in [30, 900]" >&2; exit 2; fi

metric() { # metric NAME: the value of an unlabelled metric, as an integer
  curl -fs "http://$SERVER_ADDR/metrics" | awk -v n="$1" '$1 == n { printf "%.0f\n", $2 }'
}

load_build
load_start_server
idle_goroutines=$(metric go_goroutines)
echo "server http://$SERVER_ADDR; idle goroutines $idle_goroutines; soaking ${SOAK_SECONDS}s" >&2

lt() { "$LOAD_DIR/loadtest" -target "http://$SERVER_ADDR" -duration "${SOAK_SECONDS}s" -warmup 0s -strict "$@"; }
lt -scenarios me -conns "$CONNS" -users 64 -json "$LOAD_DIR/me.json" -md "$LOAD_DIR/me.md" >/dev/null & me_pid=$!
lt -scenarios refresh -conns 8 -users 8 -json "$LOAD_DIR/refresh.json" -md "$LOAD_DIR/refresh.md" >/dev/null & refresh_pid=$!
lt -scenarios login -conns 2 -users 4 -json "$LOAD_DIR/login.json" -md "$LOAD_DIR/login.md" >/dev/null & login_pid=$!
LOAD_PIDS+=("$me_pid" "$refresh_pid" "$login_pid")

samples="$LOAD_DIR/samples.tsv"
printf 'seconds\tgoroutines\theap_inuse_bytes\trss_bytes\n' | tee "$samples"
start=$(date +%s)
while kill -0 "$me_pid" 2>/dev/null; do
  sleep "$SAMPLE_SECONDS"
  kill -0 "$me_pid" 2>/dev/null || break
  load_server_alive
  printf '%s\t%s\t%s\t%s\n' "$(( $(date +%s) - start ))" "$(metric go_goroutines)" \
    "$(metric go_memstats_heap_inuse_bytes)" "$(metric process_resident_memory_bytes)" | tee -a "$samples"
done
status=0
for pid in "$me_pid" "$refresh_pid" "$login_pid"; do wait "$pid" || status=1; done
cat "$LOAD_DIR/me.md" "$LOAD_DIR/refresh.md" "$LOAD_DIR/login.md" | awk 'NR <= 2 || !/^\|(---| Scenario)/'
[ "$status" -eq 0 ] || { echo "FAIL: 5xx or socket errors during the soak" >&2; exit 1; }

# Growth: middle third versus last third of the samples.
awk -F'\t' 'NR > 1 { n++; g[n] = $2; h[n] = $3; r[n] = $4 }
  END {
    if (n < 3) { print "FAIL: only " n " samples"; exit 1 }
    a = int(n / 3) + 1; b = int(2 * n / 3) + 1
    split("goroutines heap_inuse_bytes rss_bytes", names, " ")
    slack[1] = 20; slack[2] = 16 * 1024 * 1024; slack[3] = 32 * 1024 * 1024
    fail = 0
    for (m = 1; m <= 3; m++) {
      mid = 0; last = 0
      for (i = a; i < b; i++) mid += (m == 1 ? g[i] : m == 2 ? h[i] : r[i])
      for (i = b; i <= n; i++) last += (m == 1 ? g[i] : m == 2 ? h[i] : r[i])
      mid /= (b - a); last /= (n - b + 1)
      ok = last <= mid * 1.15 + slack[m]
      printf "%s: middle third mean %.0f, last third mean %.0f: %s\n", names[m], mid, last, ok ? "no growth" : "GROWTH"
      if (!ok) fail = 1
    }
    exit fail
  }' "$samples" || { echo "FAIL: resource growth" >&2; exit 1; }

for _ in $(seq 1 40); do # connection goroutines end as the clients close
  after=$(metric go_goroutines)
  [ "$after" -le $(( idle_goroutines + 20 )) ] && break
  sleep 0.25
done
echo "goroutines: idle before $idle_goroutines, idle after $after"
[ "$after" -le $(( idle_goroutines + 20 )) ] || { echo "FAIL: goroutines did not return to idle" >&2; exit 1; }
echo "soak passed"
