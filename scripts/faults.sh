#!/usr/bin/env bash
# The fault suite (docs/reliability.md): installs what is missing, builds, and runs
# build/tests/bin/fault_suite against real processes on a Kafka broker of its own (a free port
# pair on 127.0.0.1, data under .run/faults, wiped each run), then the fuzzers when
# scripts/fuzz.sh exists. Prints one line of figures per check (also kept in
# .run/faults/figures-<time>.txt) and exits non-zero when a check fails.
#
#   R1  kill -9 of collection, judgment and dispatch at random moments, 24 rounds during a
#       100K-event stream (every event a watchlist hit; hotspots; escalations due): lost = 0,
#       duplicate deliveries = 0, seq gaps = 0, hotspots exact, each due escalation once
#   R2  the broker stopped (SIGTERM) for 60 s, then killed (-9) for 60 s, mid-stream: every
#       ACCEPTED event in the topic, every accepted event judged and delivered, the services
#       SERVING again without help, services started while it is down come up
#   R3  scripts/fuzz.sh --seconds 120: every libFuzzer target of tests/fuzz for 120 s (when the
#       script exists), its lines as they come
#
#   scripts/faults.sh                         full scale: R1 and R2 about 9 minutes, then R3
#                                             (120 s per fuzz target, after building them)
#   scripts/faults.sh --short                 the CI variant's scale (R1 and R2 about 2.5
#                                             minutes; R3 20 s per target)
#   scripts/faults.sh --checks r1 --rounds 40 --events 200000 --seed 7
#                                             other flags go to fault_suite (listed below)
#   scripts/faults.sh --fuzz-seconds 300      R3's budget per target;  --no-fuzz  leaves R3 out
#   scripts/faults.sh --help
#
# Environment: INFOBUS_FAULTS_RUN_DIR (.run/faults), INFOBUS_FAULTS_KAFKA_PORT (the broker's
# port, the controller takes the next; default: a free pair), INFOBUS_BUILD_DIR (build/),
# INFOBUS_FAULTS_SKIP_BUILD=1 skips install-deps and the build.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
build=${INFOBUS_BUILD_DIR:-$repo/build}
run=${INFOBUS_FAULTS_RUN_DIR:-$repo/.run/faults}

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
  if [ -x "$build/tests/bin/fault_suite" ]; then
    echo "fault_suite flags:"
    "$build/tests/bin/fault_suite" --help | sed -n '/^Options:/,$p' | tail -n +2
  else
    echo "(build first to list fault_suite's flags: scripts/build.sh fault_suite)"
  fi
}

fuzz_seconds=120
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --short) args+=(--rounds 4 --events 5000 --outage-seconds 10 --drain-seconds 180)
             fuzz_seconds=20 ;;
    --fuzz-seconds) fuzz_seconds=$2; shift ;;
    --fuzz-seconds=*) fuzz_seconds=${1#--fuzz-seconds=} ;;
    --no-fuzz) fuzz_seconds=0 ;;
    *) args+=("$1") ;;
  esac
  shift
done

if [ "${INFOBUS_FAULTS_SKIP_BUILD:-0}" != 1 ]; then
  scripts/install-deps.sh
  INFOBUS_BUILD_DIR=$build scripts/build.sh fault_suite infobus-collection infobus-judgment \
    infobus-dispatch
fi

mkdir -p "$run"
figures=$run/figures-$(date -u +%Y%m%dT%H%M%SZ).txt
{
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo +dirty)"
  echo "# $(uptime)"
} >"$figures"
[ -n "${INFOBUS_FAULTS_KAFKA_PORT:-}" ] && args+=(--kafka-port "$INFOBUS_FAULTS_KAFKA_PORT")

status=0
"$build/tests/bin/fault_suite" --run-dir "$run" --bin-dir "$build/bin" \
  --kafka-script "$repo/scripts/kafka.sh" ${args[@]+"${args[@]}"} | tee -a "$figures" ||
  status=$?

if [ "$fuzz_seconds" -gt 0 ]; then
  if [ -x scripts/fuzz.sh ]; then
    echo "[faults] R3: scripts/fuzz.sh --seconds $fuzz_seconds" >&2
    scripts/fuzz.sh --seconds "$fuzz_seconds" | tee -a "$figures" || status=1
  else
    echo "R3 skipped: scripts/fuzz.sh is not there" | tee -a "$figures"
  fi
fi
echo "# end $(date -u +%Y-%m-%dT%H:%M:%SZ): $(uptime)" >>"$figures"
echo "[faults] figures in $figures; exit status $status" >&2
exit $status
