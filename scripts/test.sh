#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, starts a Kafka broker of its own
# (127.0.0.1:19192, data under .run/test; mutual TLS with the ACLs of deploy/kafka/acls.yaml, its
# certificates in .run/test/pki), runs ctest, stops the broker, and exits non-zero on any failure.
# The tests' own Kafka clients and the services they start connect to it as admin (a super user,
# so that per-test topic prefixes need no ACLs); tests/integration/kafka_lockdown_test.cc checks
# the real ACLs. The services run secure, as deployed (gRPC and /metrics over TLS, every call
# authenticated and authorized), and the tests call them as the source, analyst, officer or
# administrator who would. Extra arguments go to ctest, e.g.
#   scripts/test.sh -L unit   or   scripts/test.sh -R E2e
# The fuzz targets (tests/fuzz) are built with clang into build-fuzz/ and run by a second ctest
# there (label fuzz, INFOBUS_FUZZ_SECONDS each, default 20), unless arguments are given that do
# not name them (scripts/test.sh -L fuzz runs only them).
#   scripts/test.sh --help   this text
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
case "${1:-}" in -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;; esac
started=$(date +%s)

fuzz=1
if [ $# -gt 0 ] && [[ "$*" != *[Ff]uzz* ]]; then fuzz=0; fi

scripts/install-deps.sh
scripts/build.sh
echo "[test] build done after $(( $(date +%s) - started )) s" >&2
if [ "$fuzz" = 1 ]; then
  scripts/fuzz.sh --build-only
  echo "[test] fuzz build done after $(( $(date +%s) - started )) s" >&2
fi

export INFOBUS_RUN_DIR=$repo/.run/test
export INFOBUS_KAFKA_PORT=${INFOBUS_TEST_KAFKA_PORT:-19192}
export INFOBUS_TEST_KAFKA=127.0.0.1:$INFOBUS_KAFKA_PORT
export INFOBUS_KAFKA_SECURITY=tls INFOBUS_TEST_KAFKA_SECURITY=tls
export INFOBUS_PKI_DIR=$INFOBUS_RUN_DIR/pki INFOBUS_TEST_KAFKA_PKI=$INFOBUS_RUN_DIR/pki
rm -rf "$INFOBUS_RUN_DIR/kafka/data"   # every run starts from an empty broker
trap 'scripts/kafka.sh stop' EXIT
scripts/kafka.sh start

status=0
ctest --test-dir build --output-on-failure --timeout 600 -j 2 "$@" || status=$?
if [ "$fuzz" = 1 ]; then
  ctest --test-dir build-fuzz --output-on-failure --timeout 600 -j 2 "$@" || status=$?
fi
echo "[test] finished after $(( $(date +%s) - started )) s with status $status" >&2
exit $status
