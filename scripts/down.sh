#!/usr/bin/env bash
# Stops what scripts/up.sh started: the console gateway and the four services (SIGTERM, then
# SIGKILL after 15 s) and the Kafka broker. Data under .run/ is kept; delete it for a clean slate. A bus started with
# another INFOBUS_RUN_DIR is found only under that one: INFOBUS_RUN_DIR=DIR scripts/down.sh
# (up.sh prints the exact command).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
export INFOBUS_RUN_DIR=${INFOBUS_RUN_DIR:-$repo/.run}
run=$INFOBUS_RUN_DIR
found=false
[ -f "$run/kafka/broker.pid" ] && found=true
# The reverse of up.sh's order: the gateway, then supervision, which reads the others' topics.
for service in gateway supervision dispatch judgment collection; do
  pid_file=$run/pids/$service.pid
  [ -f "$pid_file" ] || continue
  found=true
  pid=$(cat "$pid_file")
  if kill -0 "$pid" 2>/dev/null; then
    echo "[down] stopping $service (pid $pid)"
    kill -TERM "$pid"
    for _ in $(seq 1 75); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$pid_file"
done
$found || echo "[down] nothing started by up.sh under $run; a bus started with another" \
  "INFOBUS_RUN_DIR stops with INFOBUS_RUN_DIR=<that dir> scripts/down.sh" >&2
"$repo/scripts/kafka.sh" stop
