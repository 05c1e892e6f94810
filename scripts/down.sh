#!/usr/bin/env bash
# Stops what scripts/up.sh started: the three services (SIGTERM, then SIGKILL after 15 s) and
# the Kafka broker. Data under .run/ is kept; delete it for a clean slate.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
export INFOBUS_RUN_DIR=${INFOBUS_RUN_DIR:-$repo/.run}
run=$INFOBUS_RUN_DIR
for service in dispatch judgment collection; do
  pid_file=$run/pids/$service.pid
  [ -f "$pid_file" ] || continue
  pid=$(cat "$pid_file")
  if kill -0 "$pid" 2>/dev/null; then
    echo "[down] stopping $service (pid $pid)"
    kill -TERM "$pid"
    for _ in $(seq 1 75); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$pid_file"
done
"$repo/scripts/kafka.sh" stop
