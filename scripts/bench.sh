#!/usr/bin/env bash
# Benchmarks infobus side by side with raw Kafka, in one run on one broker: installs what is
# missing, builds, starts a broker of its own (127.0.0.1:19292, data under .run/bench, wiped each
# run) and two sets of the three services (deploy/config/*.yaml, free gRPC and metrics ports, a
# fresh topic prefix each, stores under .run/bench): one with security.mode=insecure (plaintext
# gRPC, nobody authenticated) and one with security.mode=tls (TLS, every call authenticated and
# authorized). Runs build/bin/infobus-bench (raw-Kafka baseline, ingest, then pipeline and
# latency at 20% of the pipeline's max on both sets in interleaved rounds), writes the results
# as JSON and stops everything it started. Kafka is the same for both sets (mutual TLS unless
# INFOBUS_KAFKA_SECURITY=plaintext): secure vs insecure is about the gRPC side.
#
# For the secure set it writes, under the run dir: sources.yaml (the bench's source system,
# infobus-bench --print-source-registry), that source's client certificate (grpc-pki/, from the
# broker's CA) and an officer's token for the workload's hit unit (infobusctl token mint). It
# loads the watchlist with the admin certificate.
#
#   scripts/bench.sh                      full run (a few minutes); results in .run/bench/results/
#   scripts/bench.sh --smoke              seconds, tiny sizes (what CI runs)
#   scripts/bench.sh --out FILE [infobus-bench flags, e.g. --concurrency 8 --batch 500]
#   scripts/bench.sh --phases supervision [--supervision-events N]   the supervision store alone,
#                                         in process: no broker or services are started; its
#                                         temporary store goes under the run dir (removed after)
#   scripts/bench.sh --with-supervision [infobus-bench flags]   also starts infobus-supervision
#                                         beside the insecure set (same topics), samples its
#                                         infobus_consumer_lag every 0.5 s through the whole run,
#                                         waits for it to drain after the last phase and adds
#                                         .supervision_beside_pipeline to the JSON: max and last
#                                         lag while loaded, drain seconds, its CPU seconds, the
#                                         samples file (<run dir>/supervision-lag.tsv)
#   scripts/bench.sh --phases judgment-vs-streams [--events N] [--pairs K]   infobus-judgment
#                                         (deploy/config/judgment.yaml, the rules of
#                                         tools/bench/streams/rules.yaml) against the Kafka Streams
#                                         app of tools/bench/streams/ (built with mvn when missing
#                                         or older than its sources) on the same N preloaded events
#                                         (1,000,000), alternately, K pairs (3): events/s and per
#                                         CPU-second, and their ratios. Only the broker is started
#                                         (so too for --phases baseline, or both: baseline,...).
#
# Environment:
#   INFOBUS_BENCH_KAFKA_PORT   port of the broker it starts (19292; the controller uses +1)
#   INFOBUS_BENCH_KAFKA        host:port of a running broker to use instead (the CI smoke test)
#   INFOBUS_BENCH_RUN_DIR      logs, stores and results (.run/bench)
#   INFOBUS_BUILD_DIR          build directory (build/); INFOBUS_BENCH_SKIP_BUILD=1 skips
#                              install-deps and the build
#   INFOBUS_BENCH_WRAP_COLLECTION|JUDGMENT|DISPATCH|SUPERVISION   a command prefix for that service, e.g.
#                              "valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.%p"
#                              (the insecure set's); INFOBUS_BENCH_WRAP_SECURE_COLLECTION|... the
#                              secure set's
#   INFOBUS_BENCH_SET          extra KEY=VALUE settings for all services (both sets), space-separated
#                              (experiments only, e.g. "kafka.linger=5ms"; recorded in the log)
#   INFOBUS_BENCH_SET_<SERVICE> the same for one service, e.g.
#                              INFOBUS_BENCH_SET_JUDGMENT="judgment.changelog=false"
#   INFOBUS_KAFKA_SECURITY     tls (default: the broker of scripts/kafka.sh with mutual TLS and
#                              ACLs) or plaintext (no TLS: a broker it starts runs plaintext,
#                              loudly; an INFOBUS_BENCH_KAFKA broker must be plaintext too)
#   INFOBUS_PKI_DIR            certificates (tls): default <run dir>/pki for a broker it starts,
#                              $INFOBUS_RUN_DIR/pki (.run/pki) for INFOBUS_BENCH_KAFKA's
# With TLS, the services and infobus-bench connect to Kafka as admin (a super user): the run's
# topic prefixes have no ACLs of their own. TLS costs are in the figures; ACL matching is not (the
# authorizer lets super users through first).
#   scripts/bench.sh --help    this text
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

out=""
phases=""
with_supervision=false
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    --out) out=$2; shift ;;
    --out=*) out=${1#--out=} ;;
    --phases) phases=$2; args+=("$1" "$2"); shift ;;
    --phases=*) phases=${1#--phases=}; args+=("$1") ;;
    --events) args+=(--compare-events "$2"); shift ;;
    --pairs) args+=(--compare-pairs "$2"); shift ;;
    --with-supervision) with_supervision=true ;;
    *) args+=("$1") ;;
  esac
  shift
done

run=${INFOBUS_BENCH_RUN_DIR:-$repo/.run/bench}
build=${INFOBUS_BUILD_DIR:-$repo/build}
export INFOBUS_BUILD_DIR=$build
mkdir -p "$run/logs" "$run/results"
[ -n "$out" ] || out=$run/results/bench-$(date -u +%Y%m%dT%H%M%SZ).json

if [ "${INFOBUS_BENCH_SKIP_BUILD:-0}" != 1 ]; then
  scripts/install-deps.sh
  scripts/build.sh
fi

revision=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || revision="$revision+dirty"

# The supervision phase alone needs no bus: the store is folded and read in infobus-bench itself.
if [ "$phases" = supervision ]; then
  "$build/bin/infobus-bench" --supervision-dir "$run" --git-revision "$revision" --out "$out" \
    ${args[@]+"${args[@]}"}
  echo "[bench] results: $out" >&2
  exit 0
fi

# The Kafka Streams peer of judgment: a jar and its dependencies under target/, rebuilt when a
# source or the pom is newer.
streams_dir=$repo/tools/bench/streams
streams_jar=$streams_dir/target/infobus-streams-bench.jar
build_streams() {
  if [ -f "$streams_jar" ] && [ -z "$(find "$streams_dir/pom.xml" "$streams_dir/src" "$repo/proto/infobus/common" \
      "$repo/proto/infobus/judgment" -newer "$streams_jar" -type f 2>/dev/null | head -n 1)" ]; then
    return 0
  fi
  echo "[bench] building the Kafka Streams peer (mvn, $streams_dir)" >&2
  mvn -B -q -Dstyle.color=never -f "$streams_dir/pom.xml" package >&2
}
# The raw-Kafka baseline and judgment-vs-streams need only the broker (infobus-bench starts the
# judgment and Streams runs itself).
broker_only=false
if [ -n "$phases" ] && [ -z "$(echo "$phases" | tr ',' '\n' | grep -vx 'baseline\|judgment-vs-streams')" ]; then
  broker_only=true
fi
case ",$phases," in *,judgment-vs-streams,*) build_streams ;; esac

declare -A pid=()
started_broker=false
cleanup() {
  [ -z "${sampler_pid:-}" ] || kill "$sampler_pid" 2>/dev/null || true
  for name in "${!pid[@]}"; do
    p=${pid[$name]}
    kill -TERM "$p" 2>/dev/null || continue
    for _ in $(seq 1 150); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$p" 2>/dev/null || true
  done
  if $started_broker; then
    INFOBUS_RUN_DIR=$run INFOBUS_KAFKA_PORT=$kafka_port scripts/kafka.sh stop
  fi
}
trap cleanup EXIT

security=${INFOBUS_KAFKA_SECURITY:-tls}
kafka_pid=""
if [ -n "${INFOBUS_BENCH_KAFKA:-}" ]; then
  kafka=$INFOBUS_BENCH_KAFKA
  pki=${INFOBUS_PKI_DIR:-${INFOBUS_RUN_DIR:-$repo/.run}/pki}
  # The broker of scripts/test.sh records its pid in its run dir: its CPU is worth reporting.
  if [ -f "${INFOBUS_RUN_DIR:-/nonexistent}/kafka/broker.pid" ]; then
    kafka_pid=$(cat "$INFOBUS_RUN_DIR/kafka/broker.pid")
  fi
else
  kafka_port=${INFOBUS_BENCH_KAFKA_PORT:-19292}
  kafka=127.0.0.1:$kafka_port
  rm -rf "$run/kafka/data"  # every run starts from an empty broker
  started_broker=true
  pki=${INFOBUS_PKI_DIR:-$run/pki}
  INFOBUS_RUN_DIR=$run INFOBUS_KAFKA_PORT=$kafka_port INFOBUS_PKI_DIR=$pki \
    INFOBUS_KAFKA_SECURITY=$security scripts/kafka.sh start
  kafka_pid=$(cat "$run/kafka/broker.pid")
fi

tls_sets=()
tls_flags=()
if [ "$security" = tls ]; then
  [ -f "$pki/services/admin.pem" ] || { echo "[bench] no certificates in $pki (INFOBUS_PKI_DIR)" >&2; exit 1; }
  tls_sets=(--set kafka.security_protocol=ssl --set "kafka.ssl_ca=$pki/ca.pem"
            --set "kafka.ssl_cert=$pki/services/admin.pem" --set "kafka.ssl_key=$pki/services/admin.key")
  tls_flags=(--kafka-ca "$pki/ca.pem" --kafka-cert "$pki/services/admin.pem"
             --kafka-key "$pki/services/admin.key")
  echo "[bench] Kafka over mutual TLS as admin ($pki)" >&2
else
  tls_sets=(--set kafka.security_protocol=plaintext)
  echo "[bench] ##### WARNING: Kafka over PLAINTEXT (INFOBUS_KAFKA_SECURITY=plaintext): no TLS in these figures #####" >&2
fi

if $broker_only; then
  judgment_cmd=("$build/bin/infobus-judgment" --config deploy/config/judgment.yaml
    --set "kafka.bootstrap_servers=$kafka" --set judgment.rules_file=tools/bench/streams/rules.yaml
    --set grpc.listen=127.0.0.1:0 --set metrics.listen=127.0.0.1:0 --set security.mode=insecure
    "${tls_sets[@]}")
  streams_cmd=(java -cp "$streams_jar:$streams_dir/target/lib/*" dev.infobus.bench.streams.StreamsBench
    --bootstrap "$kafka")
  if [ "$security" = tls ]; then
    streams_cmd+=(--ssl-ca "$pki/ca.pem" --ssl-keystore "$pki/services/admin.keystore.pem")
  fi
  printf -v judgment_line '%q ' "${judgment_cmd[@]}"
  printf -v streams_line '%q ' "${streams_cmd[@]}"
  kafka_version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' deploy/kafka/pom.xml)
  "$build/bin/infobus-bench" --kafka "$kafka" ${tls_flags[@]+"${tls_flags[@]}"} \
    --topic-prefix "bench-$(date +%s)-$$." --judgment-command "$judgment_line" \
    --streams-command "$streams_line" --work-dir "$run" ${kafka_pid:+--pids "kafka=$kafka_pid"} \
    --kafka-version "$kafka_version" --git-revision "$revision" --out "$out" \
    ${args[@]+"${args[@]}"}
  echo "[bench] results: $out" >&2
  exit 0
fi

# The secure set's identities. The CA is the broker's (it issued the services' certificates);
# pki.sh init only adds what is missing, under the lock the tests take on a shared directory.
flock "$pki.lock" scripts/pki.sh init --dir "$pki" >/dev/null
"$build/bin/infobus-bench" --print-source-registry >"$run/sources.yaml"
source_id=$(sed -n 's/^  - id: //p' "$run/sources.yaml")
rm -rf "$run/grpc-pki"
scripts/pki.sh issue --kind source --name "$source_id" --dir "$run/grpc-pki" --ca-dir "$pki" >/dev/null
(umask 077 && "$build/bin/infobusctl" token mint --key "$pki/jwt/signing.key" --sub bench-officer \
  --role officer --unit fusui-psb --jurisdiction 451421 --clearance internal --ttl 4h \
  >"$run/officer.token")

# A fresh topic prefix per run and set: runs and sets never see each other's topics, groups or
# backlog.
prefix="bench-$(date +%s)-$$."
secure_prefix="bench-$(date +%s)-$$-tls."
sets=()
for kv in ${INFOBUS_BENCH_SET:-}; do sets+=(--set "$kv"); done
[ ${#sets[@]} -eq 0 ] || echo "[bench] extra service settings: ${INFOBUS_BENCH_SET}" >&2
start_set() {  # name ("" or "secure_"), topic prefix, services...
  local set=$1 topics=$2
  shift 2
  for service in "$@"; do
    local dir=$run/$set$service
    rm -rf "${dir:?}" "$dir.port" "$dir.metrics-port"
    local wrap_var=INFOBUS_BENCH_WRAP_${set^^}${service^^} own_var=INFOBUS_BENCH_SET_${service^^}
    local own=()
    for kv in ${!own_var:-}; do own+=(--set "$kv"); done
    [ ${#own[@]} -eq 0 ] || echo "[bench] $service settings: ${!own_var}" >&2
    local security_sets=(--set "security.mode=insecure")
    if [ -n "$set" ]; then
      security_sets=(--set security.mode=tls --set "security.ca_file=$pki/ca.pem"
                     --set "security.cert_file=$pki/services/$service.pem"
                     --set "security.key_file=$pki/services/$service.key"
                     --set "security.jwks_file=$pki/jwt/jwks.json"
                     --set "security.sources_file=$run/sources.yaml")
    fi
    # shellcheck disable=SC2086  # the wrapper is a command line on purpose
    ${!wrap_var:-} "$build/bin/infobus-$service" --config "deploy/config/$service.yaml" \
      --set "kafka.bootstrap_servers=$kafka" --set "kafka.topic_prefix=$topics" \
      --set "grpc.listen=127.0.0.1:0" --set "grpc.port_file=$dir.port" \
      --set "store.path=$dir/db" --set "metrics.listen=127.0.0.1:0" \
      --set "metrics.port_file=$dir.metrics-port" "${tls_sets[@]}" "${security_sets[@]}" \
      ${sets[@]+"${sets[@]}"} ${own[@]+"${own[@]}"} >"$run/logs/$set$service.log" 2>&1 &
    pid[$set$service]=$!
  done
}
names=(collection judgment dispatch secure_collection secure_judgment secure_dispatch)
start_set "" "$prefix" collection judgment dispatch
start_set secure_ "$secure_prefix" collection judgment dispatch
if $with_supervision; then
  # Beside the insecure set, on its topics: it consumes what that set's pipeline produces.
  start_set "" "$prefix" supervision
  names+=(supervision)
fi
declare -A addr=()
for name in "${names[@]}"; do
  for _ in $(seq 1 600); do
    [ -s "$run/$name.port" ] && break
    kill -0 "${pid[$name]}" 2>/dev/null || break
    sleep 0.2
  done
  if [ ! -s "$run/$name.port" ]; then
    echo "[bench] $name did not start; its log follows" >&2
    tail -n 30 "$run/logs/$name.log" >&2
    exit 1
  fi
  addr[$name]=127.0.0.1:$(cat "$run/$name.port")
  echo "[bench] $name serving on ${addr[$name]} (pid ${pid[$name]}, log $run/logs/$name.log)" >&2
done

kafka_version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' deploy/kafka/pom.xml)
pids=""
for name in "${names[@]}"; do
  pids="$pids${pids:+,}$name=${pid[$name]}"
done
[ -n "$kafka_pid" ] && pids="$pids,kafka=$kafka_pid"

# Supervision's lag, summed over its partitions (input topics and its facts topic), as its
# /metrics shows it (plain HTTP: security.mode=insecure); a line per 0.5 s: unix ms, lag.
supervision_lag() {
  curl -sf "http://127.0.0.1:$(cat "$run/supervision.metrics-port")/metrics" |
    awk '/^infobus_consumer_lag[{ ]/ { s += $NF; n++ } END { if (n) printf "%d\n", s }'
}
sampler_pid=""
if $with_supervision; then
  lag_file=$run/supervision-lag.tsv
  : >"$lag_file"
  (while :; do
     lag=$(supervision_lag || true)
     [ -n "$lag" ] && echo "$(date +%s%3N) $lag" >>"$lag_file"
     sleep 0.5
   done) &
  sampler_pid=$!
  echo "[bench] sampling supervision's lag into $lag_file" >&2
fi
stop_sampler() {
  [ -z "$sampler_pid" ] || { kill "$sampler_pid" 2>/dev/null || true; wait "$sampler_pid" 2>/dev/null || true; }
  sampler_pid=""
}
# After the last phase: how far behind it was, and how long it takes to catch up.
supervision_report() {
  local loaded_until drained="" lag
  loaded_until=$(date +%s%3N)
  for _ in $(seq 1 1200); do  # 10 minutes at most
    lag=$(supervision_lag || true)
    [ "$lag" = 0 ] && { drained=$(awk -v a="$loaded_until" -v b="$(date +%s%3N)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'); break; }
    sleep 0.5
  done
  local ticks cpu
  ticks=$(getconf CLK_TCK)
  cpu=$(awk -v t="$ticks" '{ printf "%.2f", ($14 + $15) / t }' "/proc/${pid[supervision]}/stat")
  local figures
  figures=$(awk -v until="$loaded_until" '
    { n++; if ($2 > max) { max = $2; at = $1 } last = $2; first = first ? first : $1 }
    END { printf "{\"samples\": %d, \"max_lag\": %d, \"max_lag_at_unix_ms\": %.0f, \"last_lag_while_loaded\": %d, \"sampled_seconds\": %.1f}", n, max, at, last, (until - first) / 1000 }' "$lag_file")
  jq --argjson f "$figures" --arg drained "${drained:-}" --argjson cpu "$cpu" --arg file "$lag_file" \
    '.supervision_beside_pipeline = ($f + {drain_seconds_after: (if $drained == "" then null else ($drained | tonumber) end),
       cpu_seconds: $cpu, lag_samples_file: $file})' "$out" >"$out.tmp" && mv "$out.tmp" "$out"
  echo "[bench] supervision beside the pipeline: $(jq -c .supervision_beside_pipeline "$out")" >&2
  [ -n "$drained" ] || echo "[bench] ##### supervision did not catch up within 10 minutes (see $run/logs/supervision.log) #####" >&2
}

"$build/bin/infobus-bench" --kafka "$kafka" ${tls_flags[@]+"${tls_flags[@]}"} --topic-prefix "$prefix" \
  --collection "${addr[collection]}" --judgment "${addr[judgment]}" --dispatch "${addr[dispatch]}" \
  --secure-collection "${addr[secure_collection]}" --secure-judgment "${addr[secure_judgment]}" \
  --secure-dispatch "${addr[secure_dispatch]}" --grpc-ca "$pki/ca.pem" \
  --grpc-cert "$run/grpc-pki/sources/$source_id.pem" --grpc-key "$run/grpc-pki/sources/$source_id.key" \
  --grpc-admin-cert "$pki/services/admin.pem" --grpc-admin-key "$pki/services/admin.key" \
  --grpc-token-file "$run/officer.token" \
  --pids "$pids" --kafka-version "$kafka_version" --git-revision "$revision" \
  --supervision-dir "$run" --work-dir "$run" --out "$out" ${args[@]+"${args[@]}"}
if $with_supervision; then
  stop_sampler
  supervision_report
fi
echo "[bench] results: $out" >&2
