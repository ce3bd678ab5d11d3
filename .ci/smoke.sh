#!/usr/bin/env bash
# Builds the example server, starts it with embedded defaults (no Redis, no
# PostgreSQL), checks GET /health = 200, sends SIGTERM and requires a clean
# exit with status 0.
set -euo pipefail
work=$(mktemp -d)
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/server" ./examples/server
# The first of 18799-18848 that nothing listens on (a stray server left on
# the machine must not fail CI).
port=
for p in $(seq 18799 18848); do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || { echo "ports 18799-18848 are all in use"; exit 1; }
(cd "$work" && exec env -u REDIS_URL -u DATABASE_URL PORT=$port ./server >"$work/log" 2>&1) &
pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/log"; echo "server exited early"; exit 1; }
  sleep 0.1
done
status=$(curl -s -o "$work/health" -w '%{http_code}' "http://127.0.0.1:$port/health")
cat "$work/health"; echo
kill -0 "$pid" 2>/dev/null || { cat "$work/log"; echo "server exited before SIGTERM"; exit 1; }
[ "$status" = 200 ] || { cat "$work/log"; echo "health status $status, want 200"; exit 1; }
kill -TERM "$pid"
set +e
wait "$pid"
code=$?
set -e
# exec makes the subshell the server itself, so the status is its own.
[ "$code" = 0 ] || { cat "$work/log"; echo "server exit code $code after SIGTERM, want 0"; exit 1; }
grep -q 'msg=stopped' "$work/log" || { cat "$work/log"; echo "server did not log a clean stop"; exit 1; }
echo "smoke test passed"
