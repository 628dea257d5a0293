#!/usr/bin/env bash
# Starts an N-silo Hub cluster on this machine, on real clustering: membership and metadata in a private Redis.
#   infra/local-cluster.sh 3        brokers 0, 1 and 2
#   infra/local-cluster.sh stop     stops every silo, then Redis
# Silo i: broker id i, data in $HUB_CLUSTER_DIR/broker-i (default ./cluster-data), silo port 11111+i,
# gateway 30000+i, Kafka 9092+i (bases: HUB_SILO_PORT, HUB_GATEWAY_PORT, HUB_KAFKA_PORT); its PID in
# broker-i.pid (kill it to test a failure; run this again to restart it), its output in broker-i.log.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${HUB_CLUSTER_DIR:-$root/cluster-data}
redis_port=${HUB_REDIS_PORT:-6390}
silo_port=${HUB_SILO_PORT:-11111}
gateway_port=${HUB_GATEWAY_PORT:-30000}
kafka_port=${HUB_KAFKA_PORT:-9092}
arg=${1:?usage: local-cluster.sh N | stop}

stop_silos() {
  for pidfile in "$dir"/broker-*.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

if [ "$arg" = stop ]; then
  stop_silos
  "$root/infra/redis.sh" stop "$dir/redis"
  exit 0
fi

[[ $arg =~ ^[1-9][0-9]*$ ]] || { echo "usage: local-cluster.sh N | stop" >&2; exit 2; }
cd "$root"
. infra/build-if-needed.sh
dll=silo/bin/Release/net10.0/Hub.Silo.dll
build_if_needed silo "$dll"
infra/redis.sh start "$dir/redis" "$redis_port"
started=()
for ((i = 0; i < arg; i++)); do
  [ -f "$dir/broker-$i.pid" ] && kill -0 "$(cat "$dir/broker-$i.pid")" 2>/dev/null && continue
  mkdir -p "$dir/broker-$i"
  # The log is appended to, so a restarted broker keeps its history; readiness is looked for past this line.
  touch "$dir/broker-$i.log"
  started+=("$i:$(wc -l <"$dir/broker-$i.log")")
  HUB_Hub__Clustering__Provider=Redis HUB_Hub__Clustering__RedisConnectionString="127.0.0.1:$redis_port" \
    nohup dotnet "$dll" --broker-id "$i" --data-dir "$dir/broker-$i" --silo-port $((silo_port + i)) \
      --gateway-port $((gateway_port + i)) --kafka-port $((kafka_port + i)) >>"$dir/broker-$i.log" 2>&1 &
  echo $! >"$dir/broker-$i.pid"
done
for entry in "${started[@]}"; do
  i=${entry%%:*}
  from=$((${entry#*:} + 1))
  for _ in $(seq 1 300); do tail -n "+$from" "$dir/broker-$i.log" | grep -q "Application started" && break; sleep 0.2; done
  tail -n "+$from" "$dir/broker-$i.log" | grep -q "Application started" \
    || { tail -20 "$dir/broker-$i.log" >&2; echo "broker $i did not start" >&2; exit 1; }
  echo "broker $i: pid $(cat "$dir/broker-$i.pid"), gateway localhost:$((gateway_port + i)), kafka localhost:$((kafka_port + i))"
done
