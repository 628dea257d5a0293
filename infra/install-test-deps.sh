#!/usr/bin/env bash
# Installs what the test suite needs beyond the .NET SDK. Idempotent: a second run changes nothing.
set -euo pipefail
command -v dotnet >/dev/null || { echo "the .NET 10 SDK is required (dotnet not on PATH)" >&2; exit 1; }

# kcat (librdkafka's command-line client) drives the Kafka listener in the tests as a real user would.
# apt-get update runs only when the package lists are needed; without root or apt the kcat tests skip.
if ! command -v kcat >/dev/null; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    { apt-get install -y -qq kcat >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq kcat >/dev/null; }; } \
      || echo "could not install kcat: its tests will be skipped" >&2
  else
    echo "kcat is missing and can't be installed here (needs root and apt-get): its tests will be skipped" >&2
  fi
fi

# redis-server is the membership and metadata store of the multi-silo cluster tests (infra/redis.sh installs it
# on demand too; installing here keeps that download out of a test's time budget).
if ! command -v redis-server >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  { apt-get install -y -qq redis-server >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq redis-server >/dev/null; }; } \
    || echo "could not install redis-server: the multi-silo tests will fail" >&2
fi
