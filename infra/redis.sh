#!/usr/bin/env bash
# A private Redis for a Hub cluster's membership and metadata (not the machine's default instance).
#   infra/redis.sh start DIR PORT   installs redis-server if missing, starts it (AOF, fsync every second)
#   infra/redis.sh stop DIR
# Idempotent: starting a running instance or stopping a stopped one does nothing.
set -euo pipefail
command=${1:?usage: redis.sh start DIR PORT | stop DIR}
dir=${2:?directory}
pidfile=$dir/redis.pid
running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
case $command in
  start)
    port=${3:?port}
    if ! command -v redis-server >/dev/null; then
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
    fi
    mkdir -p "$dir"
    running && exit 0
    redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --pidfile "$pidfile" --daemonize yes \
      --appendonly yes --appendfsync everysec --save "" --logfile "$dir/redis.log" >/dev/null
    for _ in $(seq 1 100); do redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && exit 0; sleep 0.1; done
    echo "redis did not start on port $port; see $dir/redis.log" >&2
    exit 1
    ;;
  stop)
    running || exit 0
    pid=$(cat "$pidfile")
    kill -TERM "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    ;;
  *) echo "usage: redis.sh start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
