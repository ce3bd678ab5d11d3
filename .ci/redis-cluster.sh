#!/usr/bin/env bash
# Starts (idempotently) a three-master Redis Cluster on 127.0.0.1:7001-7003,
# with no persistence, for tests that set REDIS_CLUSTER_URL.
set -euo pipefail
dir=${REDIS_CLUSTER_DIR:-/tmp/groundwork-redis-cluster}
ports=(7001 7002 7003)
mkdir -p "$dir"
for p in "${ports[@]}"; do
  if ! redis-cli -p "$p" ping >/dev/null 2>&1; then
    mkdir -p "$dir/$p"
    rm -f "$dir/$p/nodes.conf"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$p" --save "" --appendonly no \
      --cluster-enabled yes --cluster-config-file "$dir/$p/nodes.conf" --dir "$dir/$p" \
      --logfile "$dir/$p/redis.log"
  fi
done
for p in "${ports[@]}"; do
  for _ in $(seq 1 50); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.1; done
done
if ! redis-cli -p 7001 cluster info 2>/dev/null | grep -q 'cluster_state:ok'; then
  # A half-formed cluster from an earlier run: reset every node first.
  for p in "${ports[@]}"; do redis-cli -p "$p" flushall >/dev/null 2>&1 || true; redis-cli -p "$p" cluster reset hard >/dev/null; done
  redis-cli --cluster create 127.0.0.1:7001 127.0.0.1:7002 127.0.0.1:7003 --cluster-replicas 0 --cluster-yes >/dev/null
  for _ in $(seq 1 100); do
    redis-cli -p 7001 cluster info | grep -q 'cluster_state:ok' && break
    sleep 0.1
  done
fi
redis-cli -p 7001 cluster info | grep -q 'cluster_state:ok' || { echo "redis cluster did not come up" >&2; exit 1; }
echo "redis+cluster://127.0.0.1:7001?addr=127.0.0.1:7002&addr=127.0.0.1:7003"
