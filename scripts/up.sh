#!/usr/bin/env bash
# Runs the bus locally: installs what is missing, builds, starts a Kafka broker and the three
# services on 127.0.0.1, loads the sample watchlist and units, publishes sample events and shows
# a unit receiving the judged one. Then it stays in the foreground; Ctrl-C stops everything.
#   --detach   leave everything running and return (stop it with scripts/down.sh)
# Environment: INFOBUS_RUN_DIR (.run/) holds logs, pids and data, and scripts/down.sh needs the
# same one; INFOBUS_KAFKA_PORT (19092) the broker's port; INFOBUS_GRPC_PORT_BASE (50050) + 1, 2, 3
# the gRPC ports of collection, judgment and dispatch; INFOBUS_METRICS_LISTEN overrides every
# service's metrics.listen (127.0.0.1:0 picks free ports); INFOBUS_BUILD_DIR (build/);
# INFOBUS_KAFKA_SECURITY (tls, the default: mutual TLS, each service presenting its own
# certificate, CN=<service>, so the broker's ACLs of deploy/kafka/acls.yaml apply; or plaintext);
# INFOBUS_PKI_DIR ($INFOBUS_RUN_DIR/pki) the certificates (scripts/pki.sh makes them).
#   --help     this text
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
detach=false
case "${1:-}" in
  --detach) detach=true ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) echo "up.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
esac

export INFOBUS_RUN_DIR=${INFOBUS_RUN_DIR:-$repo/.run}
export INFOBUS_KAFKA_PORT=${INFOBUS_KAFKA_PORT:-19092}
port_base=${INFOBUS_GRPC_PORT_BASE:-50050}
bin=${INFOBUS_BUILD_DIR:-$repo/build}/bin
run=$INFOBUS_RUN_DIR
export INFOBUS_KAFKA_SECURITY=${INFOBUS_KAFKA_SECURITY:-tls}
export INFOBUS_PKI_DIR=${INFOBUS_PKI_DIR:-$run/pki}
pki=$INFOBUS_PKI_DIR
mkdir -p "$run/logs" "$run/pids"

scripts/install-deps.sh
scripts/build.sh
scripts/kafka.sh start

export INFOBUS_COLLECTION_ADDR=127.0.0.1:$((port_base + 1))
export INFOBUS_JUDGMENT_ADDR=127.0.0.1:$((port_base + 2))
export INFOBUS_DISPATCH_ADDR=127.0.0.1:$((port_base + 3))
declare -A addr=([collection]=$INFOBUS_COLLECTION_ADDR [judgment]=$INFOBUS_JUDGMENT_ADDR
                 [dispatch]=$INFOBUS_DISPATCH_ADDR)
declare -A metrics=()

for service in collection judgment dispatch; do
  pid_file=$run/pids/$service.pid
  if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    echo "[up] $service already running (pid $(cat "$pid_file"))"
    continue
  fi
  rm -f "$run/$service.port" "$run/$service.metrics.port"
  extra=()
  # Dispatch's units, routes and deadlines: an absolute path, whatever the working directory.
  [ "$service" = dispatch ] && extra=(--set "dispatch.routing_file=$repo/deploy/config/routing.yaml")
  # Its own identity: the broker's ACLs let it touch its own topics only.
  if [ "$INFOBUS_KAFKA_SECURITY" = tls ]; then
    extra+=(--set kafka.security_protocol=ssl --set "kafka.ssl_ca=$pki/ca.pem"
            --set "kafka.ssl_cert=$pki/services/$service.pem"
            --set "kafka.ssl_key=$pki/services/$service.key")
  else
    extra+=(--set kafka.security_protocol=plaintext)
  fi
  "$bin/infobus-$service" --config "deploy/config/$service.yaml" "${extra[@]}" \
    --set "kafka.bootstrap_servers=127.0.0.1:$INFOBUS_KAFKA_PORT" \
    --set "grpc.listen=${addr[$service]}" --set "grpc.port_file=$run/$service.port" \
    --set "metrics.port_file=$run/$service.metrics.port" \
    --set "store.path=$run/$service/db" \
    --set "security.mode=insecure" >"$run/logs/$service.log" 2>&1 &
  # TODO(issue 12): secure by default here too, with infobusctl presenting certificates and
  # tokens; until then the local bus runs insecure (each service logs a warning).
  echo $! >"$pid_file"
done
for service in collection judgment dispatch; do
  for _ in $(seq 1 150); do
    [ -f "$run/$service.port" ] && break
    kill -0 "$(cat "$run/pids/$service.pid")" 2>/dev/null || break
    sleep 0.2
  done
  if [ ! -f "$run/$service.port" ]; then
    echo "[up] $service did not start; its log follows" >&2
    tail -n 30 "$run/logs/$service.log" >&2
    exit 1
  fi
  # Written before the gRPC port, when metrics are on; a service already running keeps its own.
  metrics[$service]="(off)"
  [ -s "$run/$service.metrics.port" ] &&
    metrics[$service]=http://127.0.0.1:$(cat "$run/$service.metrics.port")/metrics
  echo "[up] $service serving on ${addr[$service]}, metrics on ${metrics[$service]} (log: $run/logs/$service.log)"
done

ctl=$bin/infobusctl
echo "[up] loading the sample watchlist (deploy/samples/watchlist.jsonl)"
$ctl watch add --file deploy/samples/watchlist.jsonl
echo "[up] publishing sample events (deploy/samples/events.jsonl; the last one is invalid on purpose)"
$ctl publish --file deploy/samples/events.jsonl || true
echo "[up] unit fusui-psb (扶绥县公安局) follows its inbox:"
$ctl follow --unit fusui-psb --count 1 --timeout 60s

# What to type to reach this bus (and stop it) from another shell in the repository root.
env_hint=""
[ "$port_base" = 50050 ] || env_hint="
         export INFOBUS_COLLECTION_ADDR=${addr[collection]} INFOBUS_JUDGMENT_ADDR=${addr[judgment]} INFOBUS_DISPATCH_ADDR=${addr[dispatch]}"
down="scripts/down.sh"
[ "$run" = "$repo/.run" ] || down="INFOBUS_RUN_DIR=$run scripts/down.sh"
cat <<MSG

infobus is running on 127.0.0.1: collection ${addr[collection]}, judgment ${addr[judgment]},
dispatch ${addr[dispatch]}, Kafka 127.0.0.1:$INFOBUS_KAFKA_PORT ($INFOBUS_KAFKA_SECURITY; certificates in $pki).
  metrics: collection ${metrics[collection]}, judgment ${metrics[judgment]},
           dispatch ${metrics[dispatch]}
  logs:  $run/logs/   data: $run/<service>/db and $run/kafka/data
  try:   export PATH="$bin:\$PATH"   # infobusctl is $ctl$env_hint
         infobusctl follow --unit chongzuo-ops --timeout 5s
         infobusctl ack --unit fusui-psb --seq 1 --by officer-7
         infobusctl publish --file deploy/samples/events.jsonl   (now: all duplicate)
  stop:  $down$($detach || echo " (or Ctrl-C here)")
MSG

if ! $detach; then
  trap 'echo; scripts/down.sh; exit 0' INT TERM
  while true; do sleep 1; done
fi
