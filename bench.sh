#!/usr/bin/env bash
# Hub's benchmark suite in one command: builds the Release silo and tests/Hub.Benchmarks, measures the peers
# (Redis Streams, NATS JetStream) and this machine's limits (disk, loopback TCP) with infra/bench/peers.sh, then
# runs the Hub scenarios against silo processes it starts itself on free ports, one load at a time, and prints
# a Markdown table (Hub, peer, ratio, load average) and writes it with PNG charts into the results folder.
#
#   ./bench.sh                          everything (about 10 minutes on 2 cores: peers 2-3, Hub the rest)
#   ./bench.sh --smoke                  every scenario but replication, tiny counts, no peers: about 30 s
#   ./bench.sh --scenarios produce,latency --no-peers
#   ./bench.sh --results DIR            default bench-results/<UTC time>
# Scenarios: produce consume kafka latency partitions groups replication scale alloc compression tls compaction
#   transactions fetch-sessions
set -euo pipefail
cd "$(dirname "$0")"
smoke= peers=1 results= pass=()
while [ $# -gt 0 ]; do
  case $1 in
    --smoke) smoke=1; peers=; pass+=(--smoke) ;;
    --no-peers) peers= ;;
    --scenarios) pass+=(--scenarios "${2:?--scenarios needs a list}"); shift ;;
    --results) results=${2:?--results needs a directory}; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument $1 (see ./bench.sh --help)" >&2; exit 2 ;;
  esac
  shift
done
results=${results:-bench-results/$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$results"

. infra/build-if-needed.sh
build_if_needed silo silo/bin/Release/net10.0/Hub.Silo.dll
build_if_needed tests/Hub.Benchmarks tests/Hub.Benchmarks/bin/Release/net10.0/Hub.Benchmarks.dll client/Hub.Cli tests/Hub.Tests/Cluster

# Silo allocations are read with dotnet-counters; without it that one scenario reports itself skipped.
export PATH="$PATH:$HOME/.dotnet/tools"
command -v dotnet-counters >/dev/null || dotnet tool install -g dotnet-counters >/dev/null 2>&1 \
  || echo "could not install dotnet-counters: silo allocations will be skipped" >&2

# The kafka scenario's librdkafka C driver (tests/Hub.Benchmarks/Native/rdkafka_load.c) is built with gcc into a
# temporary directory against the librdkafka Confluent.Kafka loads: NuGet's librdkafka.redist, which the build
# above restored (headers and library). Not Debian's librdkafka-dev: its unversioned librdkafka.so in the system
# library path is what Confluent.Kafka then loads instead of its own, and an older one (2.0.2) that lacks
# functions its consumer calls. Without gcc or the package the scenario reports the C driver skipped.
if ! command -v gcc >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  { apt-get install -y -qq gcc >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq gcc >/dev/null; }; } \
    || echo "could not install gcc" >&2
fi
native=$(mktemp -d)
trap 'rm -rf "$native"' EXIT
redist_version=$(grep -o '"librdkafka.redist/[^"]*"' tests/Hub.Benchmarks/bin/Release/net10.0/Hub.Benchmarks.deps.json | head -1 | tr -d '"' | cut -d/ -f2 || true)
redist=${NUGET_PACKAGES:-$HOME/.nuget/packages}/librdkafka.redist/$redist_version
case $(uname -m) in aarch64) rid=linux-arm64 ;; *) rid=linux-x64 ;; esac
# Its self-contained glibc build (centos8-librdkafka.so): the default one needs libsasl2.so.3, which Debian lacks,
# so Confluent.Kafka falls back to that one here too. The soname is librdkafka.so.1: linked under that name from
# the temporary directory (searched first, by the rpath), the driver cannot pick up a system librdkafka.
if ln -s "$redist/runtimes/$rid/native/centos8-librdkafka.so" "$native/librdkafka.so.1" 2>/dev/null \
   && gcc -O2 -Wall -I"$redist/build/native/include" -o "$native/rdkafka_load" tests/Hub.Benchmarks/Native/rdkafka_load.c \
        -L"$native" -l:librdkafka.so.1 -Wl,-rpath,"$native" >"$native/gcc.log" 2>&1; then
  pass+=(--rdkafka-driver "$native/rdkafka_load")
else
  echo "could not build the librdkafka C driver against $redist (needs gcc): the kafka scenario will skip it" >&2
  cat "$native/gcc.log" >&2 2>/dev/null || true
fi

if [ -n "$peers" ]; then
  echo "peers: infra/bench/peers.sh (2-3 minutes) ..." >&2
  infra/bench/peers.sh >"$results/peers.txt"
  pass+=(--peers "$results/peers.txt")
fi
dotnet tests/Hub.Benchmarks/bin/Release/net10.0/Hub.Benchmarks.dll --results "$results" "${pass[@]}"
