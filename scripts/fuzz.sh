#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz, each for a bounded time on a copy of its seed corpus
# (tests/fuzz/corpus/<target>), with a 10 s limit per input. Prints one line per target:
#   fuzz <target>: <executions> executions in <seconds> s, <crashes> crashes, <timeouts> timeouts
# and exits non-zero when any target crashed, timed out, ran out of memory or leaked (the input
# that did it is kept: the line names it). Any such finding is a bug to fix, with the input as its
# regression test (copy it into the corpus).
#
#   scripts/fuzz.sh [--seconds N] [--build-dir DIR] [--no-build | --build-only] [TARGET...]
#
# --seconds N   how long each target runs (default $INFOBUS_FUZZ_SECONDS, else 20;
#               scripts/faults.sh asks for longer)
# --build-dir   the clang build (default build-fuzz/; configured with -DINFOBUS_FUZZ=ON if new)
# --no-build    use the targets as built (ctest runs it so, after the build)
# --build-only  build the targets and stop (scripts/test.sh, before ctest runs them)
# TARGET        e.g. event_decoder_fuzz; default: every target
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
seconds=${INFOBUS_FUZZ_SECONDS:-20}
build_dir=$repo/build-fuzz
build=1
run=1
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --build-only) run=0; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done

if [ "$build" = 1 ]; then
  if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    launcher=()
    command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    CC=clang CXX=clang++ cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DINFOBUS_FUZZ=ON "${launcher[@]}" >/dev/null
  fi
  ninja -C "$build_dir" -j "$(nproc)" fuzzers >/dev/null
fi
[ "$run" = 1 ] || exit 0
if [ ${#targets[@]} -eq 0 ]; then
  for bin in "$build_dir"/fuzz/*_fuzz; do targets+=("$(basename "$bin")"); done
fi

work=$build_dir/fuzz-runs
status=0
for target in "${targets[@]}"; do
  bin=$build_dir/fuzz/$target
  seeds=$repo/tests/fuzz/corpus/$target
  if [ ! -x "$bin" ]; then echo "fuzz $target: not built ($bin)"; status=1; continue; fi
  if [ ! -d "$seeds" ]; then echo "fuzz $target: no seed corpus ($seeds)"; status=1; continue; fi
  out=$work/$target
  rm -rf "$out"
  mkdir -p "$out/corpus" "$out/artifacts"
  rc=0
  started=$SECONDS
  # New inputs go to the run's own corpus; the committed seeds are only read.
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$out/artifacts/" "$out/corpus" "$seeds" >"$out/log" 2>&1 || rc=$?
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/log" | tail -1)
  took=$((SECONDS - started))
  crashes=$(find "$out/artifacts" -name 'crash-*' -o -name 'oom-*' -o -name 'leak-*' \
              -o -name 'deadly-*' | wc -l)
  timeouts=$(find "$out/artifacts" -name 'timeout-*' | wc -l)
  # A failure without an artifact (e.g. killed, or a crash in start-up) still counts as a crash.
  if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ] && [ "$timeouts" -eq 0 ]; then crashes=1; fi
  line="fuzz $target: ${executions:-0} executions in $took s, $crashes crashes, $timeouts timeouts"
  if [ "$rc" -ne 0 ]; then
    line="$line, exit $rc; input: $(ls "$out/artifacts"/* 2>/dev/null | head -1), log: $out/log"
    status=1
  fi
  echo "$line"
  if [ "$rc" -ne 0 ]; then grep -m 20 -E 'ERROR|SUMMARY|check failed|runtime error|==[0-9]+==' \
    "$out/log" | sed 's/^/    /' || true; fi
done
exit $status
