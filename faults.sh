#!/usr/bin/env bash
# Hub's fault-injection suite, the long soak (issue 14): builds the Release silo and tests/Hub.Faults if needed,
# then runs silos each in its own network namespace, workloads writing with acks=all, and faults from a printed
# seed; prints the checker's table last and exits 1 on any anomaly. Needs root, iproute2 (ip netns) and redis-server.
#
#   ./faults.sh --faults 300                 the soak: 300 faults of every kind (a few hours)
#   ./faults.sh --duration 10m --seed 42     repeat a run's fault sequence
#   ./faults.sh --kinds kill-leader,isolate-leader --faults 20
#   ./faults.sh --help                       every option
set -euo pipefail
cd "$(dirname "$0")"
# redis-server and the kafkajs workload's node packages, as for the tests (idempotent).
infra/install-test-deps.sh >&2
. infra/build-if-needed.sh
build_if_needed silo silo/bin/Release/net10.0/Hub.Silo.dll
build_if_needed tests/Hub.Faults tests/Hub.Faults/bin/Release/net10.0/Hub.Faults.dll
exec dotnet tests/Hub.Faults/bin/Release/net10.0/Hub.Faults.dll "$@"
