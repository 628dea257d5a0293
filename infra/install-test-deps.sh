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

# kafka-python (Debian's python3-kafka, a client with its own protocol code) runs in the SASL tests; they skip without it.
if ! [ -d /usr/lib/python3/dist-packages/kafka ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  { apt-get install -y -qq python3-kafka >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq python3-kafka >/dev/null; }; } \
    || echo "could not install python3-kafka: its tests will be skipped" >&2
fi

# sarama (Debian's golang-github-shopify-sarama-dev, a Go client with its own protocol code) runs in the Go client tests,
# built with Debian's Go in GOPATH mode from the sources the package puts under /usr/share/gocode; they skip without either.
if ! { command -v go >/dev/null && [ -d /usr/share/gocode/src/github.com/Shopify/sarama ]; } && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  { apt-get install -y -qq golang-go golang-github-shopify-sarama-dev >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null && apt-get install -y -qq golang-go golang-github-shopify-sarama-dev >/dev/null; }; } \
    || echo "could not install go and sarama: their tests will be skipped" >&2
fi

# rsyslog's Kafka output (rsyslog-kafka) ships a log file to Hub in the log-shipping tests; they skip without it.
if ! [ -f /usr/sbin/rsyslogd ] || ! compgen -G "/usr/lib/*/rsyslog/omkafka.so" >/dev/null; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    { apt-get install -y -qq rsyslog-kafka >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq rsyslog-kafka >/dev/null; }; } \
      || echo "could not install rsyslog-kafka: its test will be skipped" >&2
  fi
fi

# syslog-ng's Kafka destination (syslog-ng-mod-rdkafka) ships a log file in the log-shipping tests. Debian's syslog-ng
# conflicts with rsyslog (each is the system log daemon), so its two packages are unpacked under /opt/hub-test-deps
# instead (tests/Hub.Tests/Kafka/SyslogNg.cs runs them from there) and only its libraries are installed.
syslog_ng_root=/opt/hub-test-deps/syslog-ng
if ! compgen -G "$syslog_ng_root/usr/lib/syslog-ng/*/libkafka.so" >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  # The two packages' dependencies (Debian 12's), which don't conflict with anything.
  syslog_ng_libraries="libcap2 libglib2.0-0 libivykis0 libjson-c5 libnet1 libpcre3 libssl3 libsystemd0 libwrap0 librdkafka1"
  debs=$(mktemp -d)
  if { apt-get install -y -qq $syslog_ng_libraries >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq $syslog_ng_libraries >/dev/null; }; } \
      && (cd "$debs" && apt-get download -qq syslog-ng-core syslog-ng-mod-rdkafka >/dev/null 2>&1); then
    rm -rf "$syslog_ng_root.partial" && mkdir -p "$syslog_ng_root.partial"
    for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$syslog_ng_root.partial"; done
    rm -rf "$syslog_ng_root" && mv "$syslog_ng_root.partial" "$syslog_ng_root"
  else
    echo "could not unpack syslog-ng-mod-rdkafka: its test will be skipped" >&2
  fi
  rm -rf "$debs"
fi

# openssl makes the certificates of the TLS tests (infra/make-certs.sh), as a user makes them.
if ! command -v openssl >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  { apt-get install -y -qq openssl >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq openssl >/dev/null; }; } \
    || echo "could not install openssl: the TLS tests will fail" >&2
fi

# kafkajs (and its snappy, lz4 and zstd codecs) drives the Kafka listener from node in the tests. node and npm
# come from Debian; the npm packages go into tests/kafkajs/node_modules, pinned by its package-lock.json, and
# are installed only when missing or older than the lock file. Without node the kafkajs tests skip.
if ! command -v npm >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  { apt-get install -y -qq nodejs npm >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq nodejs npm >/dev/null; }; } \
    || echo "could not install node and npm: the kafkajs tests will be skipped" >&2
fi
kafkajs_dir="$(dirname "$0")/../tests/kafkajs"
if command -v npm >/dev/null && ! [ "$kafkajs_dir/node_modules/.package-lock.json" -nt "$kafkajs_dir/package-lock.json" ]; then
  (cd "$kafkajs_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) \
    || echo "could not install kafkajs: its tests will be skipped" >&2
fi
