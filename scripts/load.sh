#!/usr/bin/env bash
# Load test of the example server on real PostgreSQL and Redis, with the bare
# net/http ceiling measured in the same run. Arguments go to the load
# generator (go run ./loadtest -h), e.g.
#
#   scripts/load.sh -duration 60s -conns 256 -json /tmp/load.json -md /tmp/load.md
#   scripts/load.sh -duration 3s -conns 16 -users 16 -strict      # smoke
#
# The server's rate limits are raised (window 1 s, 1,000,000 per tier) so the
# limiter runs on every request but denies none. The bare scenario measures
# the net/http ceiling and bare-redis the same handler after one Redis PING
# per request (the floor of any server that asks Redis once per request);
# me-nolimit is me on a second server with rate limiting off. Alternate
# them with me for ratios, e.g.
#   -scenarios me,me-nolimit,bare,bare-redis,me,me-nolimit,bare,bare-redis
source "$(dirname "$0")/loadenv.sh"
load_build
load_start_server
load_start_server_nolimit
load_start_bare
load_start_bare_redis
echo "server http://$SERVER_ADDR (database $LOAD_DB, Redis prefix $LOAD_PREFIX), limiter off http://$NOLIMIT_ADDR, bare http://$BARE_ADDR, bare-redis http://$BARE_REDIS_ADDR" >&2
"$LOAD_DIR/loadtest" -target "http://$SERVER_ADDR" -target-nolimit "http://$NOLIMIT_ADDR" \
  -bare "http://$BARE_ADDR" -bare-redis "http://$BARE_REDIS_ADDR" "$@"
load_server_alive
