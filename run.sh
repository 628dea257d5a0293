#!/usr/bin/env bash
# Starts one Hub silo on its embedded default: localhost clustering, data under ./data, nothing external.
# Extra arguments go to the silo, e.g. ./run.sh --data-dir /var/lib/hub --gateway-port 30001
set -euo pipefail
cd "$(dirname "$0")"
. infra/build-if-needed.sh
dll=silo/bin/Release/net10.0/Hub.Silo.dll
build_if_needed silo "$dll"
exec dotnet "$dll" "$@"
