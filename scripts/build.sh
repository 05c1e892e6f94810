#!/usr/bin/env bash
# Configures and builds infobus into build/ (Ninja, RelWithDebInfo). Extra arguments go to ninja.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${INFOBUS_BUILD_DIR:-$repo/build}
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
ninja -C "$build" -j "$(nproc)" "$@"
