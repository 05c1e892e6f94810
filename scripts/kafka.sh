#!/usr/bin/env bash
# Fetches, starts and stops a single-node Apache Kafka broker (KRaft) on 127.0.0.1.
#
#   scripts/kafka.sh fetch    resolve the broker jars from Maven Central (cached in ~/.m2)
#   scripts/kafka.sh start    format storage if needed, start, wait until it serves clients
#   scripts/kafka.sh stop     controlled shutdown (SIGTERM, then SIGKILL after 30 s)
#   scripts/kafka.sh status   exit 0 when the broker answers
#
# Environment: INFOBUS_RUN_DIR (default <repo>/.run) holds jars, data and logs;
# INFOBUS_KAFKA_PORT (default 19092) is the client port, the controller uses the next one.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
run_dir=${INFOBUS_RUN_DIR:-$repo/.run}
port=${INFOBUS_KAFKA_PORT:-19092}
controller_port=$((port + 1))
home=$run_dir/kafka
lib=$home/lib
data=$home/data
logs=$home/logs
pid_file=$home/broker.pid
# Any fixed 22-character base64 id will do for a throwaway single-node cluster.
cluster_id=aW5mb2J1cy1sb2NhbC0wMQ

log() { echo "[kafka] $*" >&2; }

fetch() {
  if [ -f "$lib/.complete" ] && [ "$lib/.complete" -nt "$repo/deploy/kafka/pom.xml" ]; then return 0; fi
  command -v mvn >/dev/null || { log "mvn not found: run scripts/install-deps.sh"; exit 1; }
  log "fetching broker jars from Maven Central into $lib"
  rm -rf "$lib" && mkdir -p "$lib"
  mvn -B -q -Dstyle.color=never -f "$repo/deploy/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$lib"
  touch "$lib/.complete"
}

write_properties() {
  mkdir -p "$data" "$logs"
  cat >"$home/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$data
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
background.threads=2
PROPS
}

running() { [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }

answers() { kcat -b "127.0.0.1:$port" -L -m 3 >/dev/null 2>&1; }

start() {
  fetch
  if running; then log "already running (pid $(cat "$pid_file")) on 127.0.0.1:$port"; return 0; fi
  write_properties
  java -cp "$lib/*" kafka.tools.StorageTool format -t "$cluster_id" \
    -c "$home/server.properties" --ignore-formatted >"$logs/format.log" 2>&1 ||
    { cat "$logs/format.log" >&2; exit 1; }
  log "starting broker on 127.0.0.1:$port (logs: $logs/broker.log)"
  # setsid: the broker must outlive the shell that started it and not get its Ctrl-C.
  setsid java -Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
    -Dlog4j2.configurationFile="$repo/deploy/kafka/log4j2.properties" \
    -Dkafka.logs.dir="$logs" -cp "$lib/*" kafka.Kafka "$home/server.properties" \
    >"$logs/broker.log" 2>&1 </dev/null &
  echo $! >"$pid_file"
  for _ in $(seq 1 120); do
    if answers; then log "ready"; return 0; fi
    running || break
    sleep 0.5
  done
  log "broker did not become ready; its log follows"
  tail -n 50 "$logs/broker.log" >&2
  stop
  exit 1
}

stop() {
  running || { rm -f "$pid_file"; return 0; }
  local pid
  pid=$(cat "$pid_file")
  log "stopping broker (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && { log "still running after 30 s, killing"; kill -KILL "$pid" || true; }
  rm -f "$pid_file"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) answers ;;
  *) echo "usage: $0 fetch|start|stop|status" >&2; exit 2 ;;
esac
