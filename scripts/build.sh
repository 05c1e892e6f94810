#!/usr/bin/env bash
# Configures and builds infobus into build/ (Ninja, RelWithDebInfo), then the web console
# (console/, npm + Vite) into build/console, which the gateway serves. Extra arguments go to ninja.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${INFOBUS_BUILD_DIR:-$repo/build}
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
ninja -C "$build" -j "$(nproc)" "$@"

# The console: `npm ci` when its node_modules is missing or older than package-lock.json, then
# `npm run build` (type check + Vite). npm's output goes to build/console-build.log, shown on
# failure.
console=$repo/console
log=$build/console-build.log
echo "[build] console -> $build/console" >&2
if [ ! -d "$console/node_modules" ] || [ "$console/package-lock.json" -nt "$console/node_modules" ]; then
  (cd "$console" && npm ci --no-audit --no-fund) >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
  touch "$console/node_modules"
fi
# Only when a source is newer than the last build (up.sh and the script tests run this often).
stamp=$build/console/index.html
if [ ! -f "$stamp" ] || [ -n "$(find "$console" -path "$console/node_modules" -prune -o -type f \
     -newer "$stamp" -print -quit)" ]; then
  (cd "$console" && INFOBUS_CONSOLE_OUT="$build/console" npm run build) >>"$log" 2>&1 ||
    { cat "$log" >&2; exit 1; }
fi
