#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, starts a Kafka broker of its own
# (127.0.0.1:19192, data under .run/test), runs ctest, stops the broker, and exits non-zero on
# any failure. Extra arguments go to ctest, e.g.  scripts/test.sh -L unit   or   -R E2e
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
started=$(date +%s)

scripts/install-deps.sh
scripts/build.sh
echo "[test] build done after $(( $(date +%s) - started )) s" >&2

export INFOBUS_RUN_DIR=$repo/.run/test
export INFOBUS_KAFKA_PORT=${INFOBUS_TEST_KAFKA_PORT:-19192}
export INFOBUS_TEST_KAFKA=127.0.0.1:$INFOBUS_KAFKA_PORT
rm -rf "$INFOBUS_RUN_DIR/kafka/data"   # every run starts from an empty broker
trap 'scripts/kafka.sh stop' EXIT
scripts/kafka.sh start

status=0
ctest --test-dir build --output-on-failure --timeout 600 -j 2 "$@" || status=$?
echo "[test] finished after $(( $(date +%s) - started )) s with status $status" >&2
exit $status
