#!/usr/bin/env bash
# Measures Hub on this machine in one run: the data disk's fsync'd sequential write bandwidth, then
# `hub perf produce` and `hub perf consume` against a fresh embedded silo, side by side.
# usage: ./bench.sh [records (default 5000000)] [record size (default 100)] [partitions (default 4)]
set -euo pipefail
cd "$(dirname "$0")"
records=${1:-5000000}
size=${2:-100}
partitions=${3:-4}
data=$(mktemp -d "${TMPDIR:-/tmp}/hub-bench-XXXXXX")
silo_pid=
cleanup() {
  [ -n "$silo_pid" ] && kill -TERM "$silo_pid" 2>/dev/null && wait "$silo_pid" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT

# Disk: 1 GiB of sequential writes into fresh space, fdatasync'd before dd reports.
disk=$(dd if=/dev/zero of="$data/disk-test" bs=1M count=1024 conv=fdatasync 2>&1 | awk '/copied/ { print $(NF-1), $NF }')
rm -f "$data/disk-test"
echo "disk: sequential write with fdatasync: $disk"

. infra/build-if-needed.sh
build_if_needed silo silo/bin/Release/net10.0/Hub.Silo.dll
build_if_needed client/Hub.Cli client/Hub.Cli/bin/Release/net10.0/hub.dll
port=$((30000 + RANDOM % 5000))
dotnet silo/bin/Release/net10.0/Hub.Silo.dll --data-dir "$data/hub" --gateway-port "$port" --silo-port $((port + 5000)) >"$data/silo.log" 2>&1 &
silo_pid=$!
for _ in $(seq 1 120); do grep -q "Application started" "$data/silo.log" && break; sleep 0.5; done
grep -q "Application started" "$data/silo.log" || { cat "$data/silo.log"; echo "silo did not start" >&2; exit 1; }

export HUB_GATEWAY=localhost:$port
echo "produce: $records records of $size bytes to $partitions partitions through the SDK"
produce=$(./hub perf produce bench --records "$records" --record-size "$size" --partitions "$partitions" 2>/dev/null)
echo "  $produce"
echo "consume: $records records"
consume=$(./hub perf consume bench --records "$records" 2>/dev/null)
echo "  $consume"

produce_mbs=$(sed -n 's/.*MB\/s=\([0-9.]*\).*/\1/p' <<<"$produce")
disk_mbs=$(awk '{ v = $1; u = $2; if (u ~ /^GB/) v *= 1000; if (u ~ /^kB/) v /= 1000; print v }' <<<"$disk")
awk -v p="$produce_mbs" -v d="$disk_mbs" 'BEGIN { printf "produce MB/s is %.0f%% of the disk'"'"'s fsync'"'"'d sequential write bandwidth (%.0f MB/s)\n", 100 * p / d, d }'
