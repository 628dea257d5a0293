#!/usr/bin/env bash
# Installs whatever the tests need (idempotently) and runs every test. Extra arguments go to dotnet test,
# e.g. ./test.sh --filter "FullyQualifiedName~Log".
set -euo pipefail
cd "$(dirname "$0")"
infra/install-test-deps.sh
dotnet build Hub.sln -c Release --nologo -v quiet -clp:ErrorsOnly
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test Hub.sln -c Release --no-build --nologo "$@" 2>&1 | tee "$log" || status=$?
# One closing line that any CI reader understands, summed over the test assemblies.
awk '/Passed!|Failed!/ { for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' FS='[ ,]+' "$log"
exit $status
