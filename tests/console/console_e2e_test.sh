#!/usr/bin/env bash
# The web console in a real browser against a real bus (console_e2e.mjs says what it checks):
# scripts/up.sh --detach with a private run dir and free ports (the broker, the four services,
# the gateway serving build/console), then playwright-core driving Debian's chromium, then
# scripts/down.sh. Screenshots go to $INFOBUS_CONSOLE_SCREENSHOTS (default
# <build dir>/console-screenshots); docs/console/ holds a set of them for the README.
#   console_e2e_test.sh <repo> <build dir>
set -euo pipefail
repo=$1
export INFOBUS_BUILD_DIR=$2
run=$(mktemp -d)
export INFOBUS_RUN_DIR=$run
cleanup() {
  "$repo/scripts/down.sh" >/dev/null 2>&1 || true
  rm -rf "$run"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

command -v chromium >/dev/null || fail "no chromium (scripts/install-deps.sh installs Debian's)"
# shellcheck source=../scripts/lib.sh
. "$repo/tests/scripts/lib.sh"
export INFOBUS_KAFKA_PORT=$(free_ports 2)
export INFOBUS_GRPC_PORT_BASE=$(free_ports 31)  # + 1 .. 4: the services, + 30: the gateway
export INFOBUS_METRICS_LISTEN=127.0.0.1:0

output=$("$repo/scripts/up.sh" --detach 2>&1) || { echo "$output"; fail "up.sh exited non-zero"; }
url=$(echo "$output" | sed -n 's|^ *console: \(https://[^ ]*\).*|\1|p' | head -n 1)
[ -n "$url" ] || { echo "$output" | tail -n 30; fail "up.sh did not print the console's address"; }

# playwright-core only (the browser is Debian's): installed from tests/console's lockfile.
cd "$repo/tests/console"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund >/dev/null
  touch node_modules
fi
export CONSOLE_URL=$url
export INFOBUS_PKI_DIR=${INFOBUS_PKI_DIR:-$run/pki}
export SCREENSHOT_DIR=${INFOBUS_CONSOLE_SCREENSHOTS:-$INFOBUS_BUILD_DIR/console-screenshots}
export INFOBUS_COLLECTION_ADDR=127.0.0.1:$((INFOBUS_GRPC_PORT_BASE + 1))
export INFOBUS_JUDGMENT_ADDR=127.0.0.1:$((INFOBUS_GRPC_PORT_BASE + 2))
export INFOBUS_DISPATCH_ADDR=127.0.0.1:$((INFOBUS_GRPC_PORT_BASE + 3))
export INFOBUS_SUPERVISION_ADDR=127.0.0.1:$((INFOBUS_GRPC_PORT_BASE + 4))
node console_e2e.mjs || { tail -n 20 "$run/logs/gateway.log"; fail "the browser test failed"; }
