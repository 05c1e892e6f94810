#!/usr/bin/env bash
# Runs the bus locally: installs what is missing, builds, starts a Kafka broker and the four
# services on 127.0.0.1, loads the sample watchlist and units, publishes sample events and shows
# a unit receiving the judged one. Then it stays in the foreground; Ctrl-C stops everything.
# Secure as deployed: every gRPC call is TLS and authenticated (security.mode=tls), each service
# with its certificate from the local PKI (scripts/pki.sh init), people's tokens checked
# against its JWKS, the sample sources registered by deploy/config/sources.yaml. Its own calls
# present the right identity: the admin machine's certificate for the watchlist, each source's
# for its events, an officer's token (infobusctl token mint) to follow fusui-psb.
#   --detach   leave everything running and return (stop it with scripts/down.sh)
# Environment: INFOBUS_RUN_DIR (.run/) holds logs, pids and data, and scripts/down.sh needs the
# same one; INFOBUS_KAFKA_PORT (19092) the broker's port; INFOBUS_GRPC_PORT_BASE (50050) + 1, 2,
# 3, 4 the gRPC ports of collection, judgment, dispatch and supervision, + 30 the console
# gateway's HTTPS port (it serves build/console when built); INFOBUS_METRICS_LISTEN
# overrides every service's metrics.listen (127.0.0.1:0 picks free ports); INFOBUS_BUILD_DIR
# (build/);
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
# The gRPC identities too (kafka.sh makes the PKI when missing; this adds what an older one lacks).
scripts/pki.sh init --dir "$pki"

export INFOBUS_COLLECTION_ADDR=127.0.0.1:$((port_base + 1))
export INFOBUS_JUDGMENT_ADDR=127.0.0.1:$((port_base + 2))
export INFOBUS_DISPATCH_ADDR=127.0.0.1:$((port_base + 3))
export INFOBUS_SUPERVISION_ADDR=127.0.0.1:$((port_base + 4))
declare -A addr=([collection]=$INFOBUS_COLLECTION_ADDR [judgment]=$INFOBUS_JUDGMENT_ADDR
                 [dispatch]=$INFOBUS_DISPATCH_ADDR [supervision]=$INFOBUS_SUPERVISION_ADDR)
# Supervision after the others: it reads what they write.
services="collection judgment dispatch supervision"
declare -A metrics=()

for service in $services; do
  pid_file=$run/pids/$service.pid
  if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    echo "[up] $service already running (pid $(cat "$pid_file"))"
    continue
  fi
  rm -f "$run/$service.port" "$run/$service.metrics.port"
  extra=()
  # Dispatch's units, routes and deadlines: an absolute path, whatever the working directory.
  [ "$service" = dispatch ] && extra=(--set "dispatch.routing_file=$repo/deploy/config/routing.yaml")
  # Supervision's units, hierarchy and local time: the same file.
  [ "$service" = supervision ] &&
    extra=(--set "supervision.routing_file=$repo/deploy/config/routing.yaml")
  # Which sources may publish what (absolute, like the routing file).
  [ "$service" = collection ] && extra=(--set "security.sources_file=$repo/deploy/config/sources.yaml")
  # Its gRPC identity: TLS with its own certificate; people's tokens verified with the JWKS.
  extra+=(--set "security.ca_file=$pki/ca.pem" --set "security.cert_file=$pki/services/$service.pem"
          --set "security.key_file=$pki/services/$service.key"
          --set "security.jwks_file=$pki/jwt/jwks.json")
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
    --set "store.path=$run/$service/db" >"$run/logs/$service.log" 2>&1 &
  echo $! >"$pid_file"
done
# Waits until process `name` (pid in $run/pids/<name>.pid) has written $run/<name>.port, which
# it does once it serves; if it exits or takes 30 s, shows its log and ends up.sh.
wait_for_port() {
  local name=$1
  for _ in $(seq 1 150); do
    [ -f "$run/$name.port" ] && return 0
    kill -0 "$(cat "$run/pids/$name.pid")" 2>/dev/null || break
    sleep 0.2
  done
  [ -f "$run/$name.port" ] && return 0
  echo "[up] $name did not start; its log follows" >&2
  tail -n 30 "$run/logs/$name.log" >&2
  exit 1
}
for service in $services; do
  wait_for_port "$service"
  # Written before the gRPC port, when metrics are on; a service already running keeps its own.
  metrics[$service]="(off)"
  [ -s "$run/$service.metrics.port" ] &&
    metrics[$service]=https://127.0.0.1:$(cat "$run/$service.metrics.port")/metrics
  echo "[up] $service serving on ${addr[$service]}, metrics on ${metrics[$service]} (log: $run/logs/$service.log)"
done

# The console gateway, after the services it calls: HTTPS with its own certificate, to the
# services over TLS without one (each call is the browser's token, or nobody).
gateway_addr=127.0.0.1:$((port_base + 30))
console_dir=$repo/build/console
pid_file=$run/pids/gateway.pid
if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
  echo "[up] gateway already running (pid $(cat "$pid_file"))"
else
  rm -f "$run/gateway.port"
  [ -d "$console_dir" ] || echo "[up] no console build in $console_dir: the gateway serves the API only"
  "$bin/infobus-gateway" --config deploy/config/gateway.yaml \
    --set "gateway.listen=$gateway_addr" --set "gateway.port_file=$run/gateway.port" \
    --set "gateway.static_dir=$console_dir" \
    --set "gateway.cert_file=$pki/services/gateway.pem" --set "gateway.key_file=$pki/services/gateway.key" \
    --set "security.ca_file=$pki/ca.pem" \
    --set "gateway.collection_addr=${addr[collection]}" --set "gateway.judgment_addr=${addr[judgment]}" \
    --set "gateway.dispatch_addr=${addr[dispatch]}" --set "gateway.supervision_addr=${addr[supervision]}" \
    >"$run/logs/gateway.log" 2>&1 &
  echo $! >"$pid_file"
fi
wait_for_port gateway
console_url=https://127.0.0.1:$(cat "$run/gateway.port")/
echo "[up] gateway serving the console and its API on $console_url (log: $run/logs/gateway.log)"

ctl=$bin/infobusctl
export INFOBUS_CA=$pki/ca.pem
echo "[up] loading the sample watchlist (deploy/samples/watchlist.jsonl) as the admin machine"
$ctl watch add --file deploy/samples/watchlist.jsonl \
  --cert "$pki/services/admin.pem" --key "$pki/services/admin.key"
# A source publishes only its own events: the sample file, one source (certificate) at a time.
sources=$(sed -n 's/.*"sourceId":"\([^"]*\)".*/\1/p' deploy/samples/events.jsonl | sort -u)
for source in $sources; do
  echo "[up] publishing $source's sample events (deploy/samples/events.jsonl) as $source"
  # bad-0001 of fusui-lodging is invalid on purpose: that call exits 1.
  grep -F "\"sourceId\":\"$source\"" deploy/samples/events.jsonl |
    $ctl publish --cert "$pki/sources/$source.pem" --key "$pki/sources/$source.key" || true
done
echo "[up] unit fusui-psb (扶绥县公安局) follows its inbox, as its officer-7:"
officer=$($ctl token mint --key "$pki/jwt/signing.key" --sub officer-7 --role officer \
  --unit fusui-psb --jurisdiction 451421 --clearance CONFIDENTIAL)
INFOBUS_TOKEN=$officer $ctl follow --unit fusui-psb --count 1 --timeout 60s

# What to type to reach this bus (and stop it) from another shell in the repository root.
env_hint=""
[ "$port_base" = 50050 ] || env_hint="
         export INFOBUS_COLLECTION_ADDR=${addr[collection]} INFOBUS_JUDGMENT_ADDR=${addr[judgment]} INFOBUS_DISPATCH_ADDR=${addr[dispatch]} INFOBUS_SUPERVISION_ADDR=${addr[supervision]}"
# infobusctl audit finds the broker at 127.0.0.1:$INFOBUS_KAFKA_PORT.
[ "$INFOBUS_KAFKA_PORT" = 19092 ] || env_hint="$env_hint
         export INFOBUS_KAFKA_PORT=$INFOBUS_KAFKA_PORT"
# infobusctl finds the CA and token mint the signing key under $INFOBUS_RUN_DIR/pki.
[ "$run" = "$repo/.run" ] || env_hint="$env_hint
         export INFOBUS_RUN_DIR=$run"
[ "$pki" = "$run/pki" ] || env_hint="$env_hint
         export INFOBUS_CA=$pki/ca.pem   # and token mint --key $pki/jwt/signing.key"
down="scripts/down.sh"
[ "$run" = "$repo/.run" ] || down="INFOBUS_RUN_DIR=$run scripts/down.sh"
cat <<MSG

infobus is running on 127.0.0.1: collection ${addr[collection]}, judgment ${addr[judgment]},
dispatch ${addr[dispatch]}, supervision ${addr[supervision]},
Kafka 127.0.0.1:$INFOBUS_KAFKA_PORT ($INFOBUS_KAFKA_SECURITY; certificates in $pki).
  console: $console_url   (trust $pki/ca.pem; sign in with a token of infobusctl token mint)
  metrics: collection ${metrics[collection]}, judgment ${metrics[judgment]},
           dispatch ${metrics[dispatch]}, supervision ${metrics[supervision]}
  logs:  $run/logs/   data: $run/<service>/db and $run/kafka/data
  gRPC:  TLS; every call says who it is: a certificate (machines) or a token (people)
  /metrics: HTTPS for a scraper with a certificate of the CA, e.g.
         curl --cacert $pki/ca.pem --cert $pki/services/admin.pem --key $pki/services/admin.key ${metrics[judgment]}
  try:   export PATH="$bin:\$PATH"   # infobusctl is $ctl$env_hint
         export INFOBUS_TOKEN=\$(infobusctl token mint --sub officer-7 --role officer --unit fusui-psb --jurisdiction 451421 --clearance CONFIDENTIAL)
         infobusctl follow --unit fusui-psb --timeout 5s
         infobusctl ack --unit fusui-psb --seq 1     # signed off by officer-7, the token's subject
         grep -F '"sourceId":"fusui-lodging"' deploy/samples/events.jsonl | infobusctl publish \\
           --cert $pki/sources/fusui-lodging.pem --key $pki/sources/fusui-lodging.key   # as that source: duplicates now
         infobusctl audit --subject admin            # the access records (here: the watchlist loads), read as the admin machine
         supervisor=\$(infobusctl token mint --sub supervisor-2 --role supervisor --unit chongzuo-ops --jurisdiction 4514 --clearance SECRET)
         infobusctl trace --event fusui-lodging/hotel-0001 --token "\$supervisor"   # collected, judged, delivered, signed ...
         infobusctl report --month 2026-11 --unit chongzuo-ops --subordinates --token "\$supervisor"   # the samples' month
  stop:  $down$($detach || echo " (or Ctrl-C here)")
MSG

if ! $detach; then
  trap 'echo; scripts/down.sh; exit 0' INT TERM
  while true; do sleep 1; done
fi
