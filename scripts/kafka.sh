#!/usr/bin/env bash
# Fetches, starts and stops a single-node Apache Kafka broker (KRaft) on 127.0.0.1.
#
#   scripts/kafka.sh fetch    resolve the broker jars from Maven Central (cached in ~/.m2)
#   scripts/kafka.sh start    format storage if needed, start, wait until it serves clients, and
#                             (TLS) apply deploy/kafka/acls.yaml with infobus-kafka-acls --prune
#   scripts/kafka.sh stop     controlled shutdown (SIGTERM, then SIGKILL after 30 s)
#   scripts/kafka.sh status   exit 0 when the broker answers
#   scripts/kafka.sh acls     apply the ACL file again (after editing it) to the running broker
#   scripts/kafka.sh --help   this text
#
# Security (INFOBUS_KAFKA_SECURITY):
#   tls (default)  both listeners speak mutual TLS: a client needs a certificate of the local CA
#                  (scripts/pki.sh); its CN is its principal (CN=judgment -> User:judgment).
#                  StandardAuthorizer, allow.everyone.if.no.acl.found=false, super users
#                  User:kafka (the broker) and User:admin; the others get deploy/kafka/acls.yaml.
#                  The controller listener is TLS with client certificates too, and only the
#                  super users may do anything there.
#   plaintext      no TLS, no authorizer: anyone on 127.0.0.1 may do anything. For benchmarks
#                  that want to leave TLS out; it says so loudly.
#
# Environment: INFOBUS_RUN_DIR (default <repo>/.run) holds jars, data and logs;
# INFOBUS_KAFKA_PORT (default 19092) is the client port, the controller uses the next one;
# INFOBUS_PKI_DIR (default $INFOBUS_RUN_DIR/pki; created with scripts/pki.sh init when missing)
# the CA and certificates (the broker's: services/kafka.pem, the ACL tool's: services/admin.pem);
# INFOBUS_KAFKA_ACLS_FILE (deploy/kafka/acls.yaml); INFOBUS_KAFKA_ACLS_BIN (default
# ${INFOBUS_BUILD_DIR:-<repo>/build}/bin/infobus-kafka-acls, which scripts/build.sh builds).
# A client of the TLS broker, e.g. kcat:
#   kcat -b 127.0.0.1:19092 -X security.protocol=ssl -X ssl.ca.location=.run/pki/ca.pem \
#     -X ssl.certificate.location=.run/pki/services/admin.pem \
#     -X ssl.key.location=.run/pki/services/admin.key -L
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
security=${INFOBUS_KAFKA_SECURITY:-tls}
pki=${INFOBUS_PKI_DIR:-$run_dir/pki}
acls_file=${INFOBUS_KAFKA_ACLS_FILE:-$repo/deploy/kafka/acls.yaml}
acls_bin=${INFOBUS_KAFKA_ACLS_BIN:-${INFOBUS_BUILD_DIR:-$repo/build}/bin/infobus-kafka-acls}

log() { echo "[kafka] $*" >&2; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

case "$security" in
  tls | plaintext) ;;
  *) log "INFOBUS_KAFKA_SECURITY is tls or plaintext, not '$security'"; exit 2 ;;
esac

fetch() {
  if [ -f "$lib/.complete" ] && [ "$lib/.complete" -nt "$repo/deploy/kafka/pom.xml" ]; then return 0; fi
  command -v mvn >/dev/null || { log "mvn not found: run scripts/install-deps.sh"; exit 1; }
  log "fetching broker jars from Maven Central into $lib"
  rm -rf "$lib" && mkdir -p "$lib"
  mvn -B -q -Dstyle.color=never -f "$repo/deploy/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$lib"
  touch "$lib/.complete"
}

# The broker's certificates (TLS), from the local CA, made when missing (pki.sh init only adds
# what is missing). Its keystore is its key and certificate in one PEM file.
prepare_pki() {
  [ -f "$pki/services/kafka.keystore.pem" ] && [ -f "$pki/services/admin.pem" ] ||
    "$repo/scripts/pki.sh" init --dir "$pki" >&2
}

write_properties() {
  mkdir -p "$data" "$logs"
  if [ "$security" = tls ]; then
    prepare_pki
    listener=SSL
    security_props="listener.security.protocol.map=CONTROLLER:SSL,SSL:SSL
ssl.keystore.type=PEM
ssl.keystore.location=$pki/services/kafka.keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$pki/ca.pem
ssl.client.auth=required
ssl.principal.mapping.rules=RULE:^CN=([A-Za-z0-9._-]+),O=infobus\$/\$1/,DEFAULT
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:kafka;User:admin"
  else
    listener=PLAINTEXT
    security_props="listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
  fi
  cat >"$home/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=$listener://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=$listener://127.0.0.1:$port
inter.broker.listener.name=$listener
controller.listener.names=CONTROLLER
$security_props
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

# The admin's TLS settings as flags, for kcat (-X k=v) and infobus-kafka-acls (--ssl-*).
kcat_tls=()
acls_tls=()
if [ "$security" = tls ]; then
  kcat_tls=(-X security.protocol=ssl -X "ssl.ca.location=$pki/ca.pem"
            -X "ssl.certificate.location=$pki/services/admin.pem"
            -X "ssl.key.location=$pki/services/admin.key")
  acls_tls=(--ssl-ca "$pki/ca.pem" --ssl-cert "$pki/services/admin.pem"
            --ssl-key "$pki/services/admin.key")
fi

answers() { kcat -b "127.0.0.1:$port" "${kcat_tls[@]}" -L -m 3 >/dev/null 2>&1; }

apply_acls() {
  [ "$security" = tls ] || { log "plaintext broker: no authorizer, no ACLs to apply"; return 0; }
  [ -x "$acls_bin" ] || {
    log "$acls_bin not found: build it (scripts/build.sh) or set INFOBUS_KAFKA_ACLS_BIN"
    return 1
  }
  "$acls_bin" --bootstrap "127.0.0.1:$port" "${acls_tls[@]}" --file "$acls_file" --prune \
    --quiet | sed 's/^/[kafka] /' >&2
}

warn_plaintext() {
  [ "$security" = plaintext ] || return 0
  log "#####################################################################################"
  log "# WARNING: PLAINTEXT broker (INFOBUS_KAFKA_SECURITY=plaintext): no TLS, no client    #"
  log "# certificates, no authorizer. Anyone who reaches 127.0.0.1:$port may read and write  "
  log "# every topic. For benchmarks only; the default is tls.                             #"
  log "#####################################################################################"
}

start() {
  fetch
  warn_plaintext
  if running; then log "already running (pid $(cat "$pid_file")) on 127.0.0.1:$port"; return 0; fi
  [ -x "$acls_bin" ] || [ "$security" = plaintext ] || {
    log "$acls_bin not found: build it first (scripts/build.sh) or set INFOBUS_KAFKA_ACLS_BIN"
    exit 1
  }
  write_properties
  java -cp "$lib/*" kafka.tools.StorageTool format -t "$cluster_id" \
    -c "$home/server.properties" --ignore-formatted >"$logs/format.log" 2>&1 ||
    { cat "$logs/format.log" >&2; exit 1; }
  log "starting broker on 127.0.0.1:$port, $security (logs: $logs/broker.log)"
  # setsid: the broker must outlive the shell that started it and not get its Ctrl-C.
  setsid java -Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
    -Dlog4j2.configurationFile="$repo/deploy/kafka/log4j2.properties" \
    -Dkafka.logs.dir="$logs" -cp "$lib/*" kafka.Kafka "$home/server.properties" \
    >"$logs/broker.log" 2>&1 </dev/null &
  echo $! >"$pid_file"
  for _ in $(seq 1 120); do
    if answers; then
      apply_acls || { log "could not apply $acls_file; stopping the broker"; stop; exit 1; }
      log "ready"
      return 0
    fi
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
  acls) apply_acls ;;
  -h | --help | help) usage ;;
  *) echo "usage: $0 fetch|start|stop|status|acls (see --help)" >&2; exit 2 ;;
esac
