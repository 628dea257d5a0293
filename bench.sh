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
# Scenarios: produce consume kafka latency partitions groups replication scale alloc
set -euo pipefail
cd "$(dirname "$0")"
smoke= peers=1 results= pass=()
while [ $# -gt 0 ]; do
  case $1 in
    --smoke) smoke=1; peers=; pass+=(--smoke) ;;
    --no-peers) peers= ;;
    --scenarios) pass+=(--scenarios "${2:?--scenarios needs a list}"); shift ;;
    --results) results=${2:?--results needs a directory}; shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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

if [ -n "$peers" ]; then
  echo "peers: infra/bench/peers.sh (2-3 minutes) ..." >&2
  infra/bench/peers.sh >"$results/peers.txt"
  pass+=(--peers "$results/peers.txt")
fi
dotnet tests/Hub.Benchmarks/bin/Release/net10.0/Hub.Benchmarks.dll --results "$results" "${pass[@]}"
