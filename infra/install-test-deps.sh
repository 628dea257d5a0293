#!/usr/bin/env bash
# Installs what the test suite needs beyond the .NET SDK. Idempotent: a second run changes nothing.
set -euo pipefail
command -v dotnet >/dev/null || { echo "the .NET 10 SDK is required (dotnet not on PATH)" >&2; exit 1; }
