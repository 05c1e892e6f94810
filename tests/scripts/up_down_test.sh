#!/usr/bin/env bash
# The README's first command works: scripts/up.sh --detach brings up a broker, the four
# services and the console gateway, loads the samples and shows unit fusui-psb receiving the judged sample event; and
# scripts/down.sh stops everything it started. Runs with a private run dir and free ports, so it
# disturbs neither the test broker nor a bus someone is running.
#   up_down_test.sh <repo> <build dir>
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

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
export INFOBUS_KAFKA_PORT=$(free_ports 2)
export INFOBUS_GRPC_PORT_BASE=$(( $(free_ports 31) ))  # + 1 .. 4: the four services, + 30: the gateway
export INFOBUS_METRICS_LISTEN=127.0.0.1:0

output=$("$repo/scripts/up.sh" --detach 2>&1) || { echo "$output"; echo "FAIL: up.sh exited non-zero"; exit 1; }
echo "$output" | tail -n 25
fail() { echo "FAIL: $*"; exit 1; }
echo "$output" | grep -q '"deliveryId":"fusui-psb/1"' || fail "fusui-psb did not receive the judged event"
echo "$output" | grep -q 'PUBLISH_OUTCOME_REJECTED' || fail "the invalid sample event was not rejected"
# The banner says how to stop this bus (its run dir is not the default one) and where each
# service's /metrics listens, and the address it gives serves the metrics.
echo "$output" | grep -qF "INFOBUS_RUN_DIR=$run scripts/down.sh" ||
  fail "up.sh did not print the down command for its run dir"
for service in collection judgment dispatch supervision; do
  url=$(echo "$output" | sed -n "s|^\[up\] $service serving on .*, metrics on \(https://[^ ]*\) .*|\1|p")
  [ -n "$url" ] || fail "up.sh did not say where $service's /metrics listens (HTTPS)"
  # HTTPS, and only for a scraper with a certificate of the CA.
  scrape='import ssl, sys, urllib.request
c = ssl.create_default_context(cafile=sys.argv[2])
if len(sys.argv) > 3: c.load_cert_chain(sys.argv[3], sys.argv[4])
try: body = urllib.request.urlopen(sys.argv[1], timeout=10, context=c).read()
except Exception: sys.exit(2)
sys.exit(b"infobus_" not in body)'
  pki=${INFOBUS_PKI_DIR:-$run/pki}
  python3 -c "$scrape" "$url" "$pki/ca.pem" "$pki/services/admin.pem" "$pki/services/admin.key" ||
    fail "$service's metrics are not at $url for a scraper with a certificate"
  python3 -c "$scrape" "$url" "$pki/ca.pem" && fail "$service's metrics answered a scraper without a certificate"
  python3 -c "$scrape" "${url/https/http}" "$pki/ca.pem" && fail "$service's metrics answered plaintext"
  echo "$output" | grep -A1 '^  metrics:' | grep -qF "$url" || fail "the banner does not show $url"
done

# The banner gives the address of each service for another shell (the ports are not the default).
echo "$output" | grep -qF "INFOBUS_SUPERVISION_ADDR=127.0.0.1:$((INFOBUS_GRPC_PORT_BASE + 4))" ||
  fail "the banner does not export supervision's address"

# The bus is secure: a call without a credential is refused with the server's reason.
ctl=$INFOBUS_BUILD_DIR/bin/infobusctl
export INFOBUS_DISPATCH_ADDR=127.0.0.1:$((INFOBUS_GRPC_PORT_BASE + 3))
unset INFOBUS_TOKEN INFOBUS_CERT INFOBUS_KEY INFOBUS_CA
refused=$("$ctl" units 2>&1) && fail "units without a credential was answered: $refused"
echo "$refused" | grep -q UNAUTHENTICATED || fail "no UNAUTHENTICATED reason: $refused"
grep -q 'security.mode=insecure' "$run"/logs/*.log && fail "a service runs insecure"

# The sign-off and feedback commands the README shows work against the running demo, as the
# unit's officers (tokens of the local key); the server records who signed.
mint() { "$ctl" token mint --role officer --unit fusui-psb --jurisdiction 451421 --clearance CONFIDENTIAL --sub "$1"; }
officer7=$(mint officer-7)
INFOBUS_TOKEN=$officer7 "$ctl" ack --unit fusui-psb --seq 1 | grep -q '"acknowledgedBy":"officer-7"' ||
  fail "ack"
INFOBUS_TOKEN=$officer7 "$ctl" ack --unit fusui-psb --seq 1 --by officer-9 >/dev/null 2>&1 &&
  fail "ack --by someone else than the caller was accepted"
INFOBUS_TOKEN=$officer7 "$ctl" feedback --unit fusui-psb --seq 1 --outcome apprehended \
  --note "at the hotel" | grep -q 'FEEDBACK_OUTCOME_APPREHENDED' || fail "feedback"
INFOBUS_TOKEN=$(mint officer-8) "$ctl" feedback --unit fusui-psb --seq 1 --outcome not_found |
  grep -q '"alreadyRecorded":true' || fail "a second feedback was not reported as already recorded"
export INFOBUS_TOKEN=$officer7
"$ctl" deliveries --unit fusui-psb | grep -q '"deliveryId":"fusui-psb/1"' || fail "deliveries"
[ -z "$("$ctl" deliveries --unit fusui-psb --status pending)" ] ||
  fail "a signed-off delivery is still listed as pending"

# The console gateway: HTTPS on port base + 30 with the PKI's certificate, its /healthz, and the
# API with the officer's token forwarded (without one the service says UNAUTHENTICATED).
console=$(echo "$output" | sed -n 's|^  console: \(https://[^ ]*\) .*|\1|p')
[ "$console" = "https://127.0.0.1:$((INFOBUS_GRPC_PORT_BASE + 30))/" ] ||
  fail "the banner does not show the console at port base + 30: '$console'"
gateway='import json, ssl, sys, urllib.error, urllib.request
url, ca, path, token = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
c = ssl.create_default_context(cafile=ca)
request = urllib.request.Request(url + path, data=b"{}" if path.startswith("api/") else None)
if token: request.add_header("Authorization", "Bearer " + token)
try: response = urllib.request.urlopen(request, timeout=10, context=c); print(response.status, response.read().decode())
except urllib.error.HTTPError as e: print(e.code, e.read().decode())'
pki=${INFOBUS_PKI_DIR:-$run/pki}
[ "$(python3 -c "$gateway" "$console" "$pki/ca.pem" healthz "")" = "200 ok" ] ||
  fail "the gateway's /healthz did not answer ok over HTTPS"
python3 -c "$gateway" "$console" "$pki/ca.pem" api/v1/dispatch/ListUnits "$officer7" |
  grep -q '^200 .*"unitId":"fusui-psb"' || fail "the gateway's dispatch/ListUnits with a token"
python3 -c "$gateway" "$console" "$pki/ca.pem" api/v1/dispatch/ListUnits "" |
  grep -q '^401 .*UNAUTHENTICATED' || fail "the gateway's dispatch/ListUnits without a token was not 401"

# The analyst's commands: list, fetch, review and stream judgments.
export INFOBUS_JUDGMENT_ADDR=127.0.0.1:$((INFOBUS_GRPC_PORT_BASE + 2))
INFOBUS_TOKEN=$("$ctl" token mint --sub analyst-3 --role analyst --jurisdiction 45 --clearance SECRET)
listed=$("$ctl" judgments --kind watchlist_hit --severity medium) || fail "judgments"
id=$(echo "$listed" | head -n 1 | sed -n 's/.*"judgmentId":"\([^"]*\)".*/\1/p')
[ -n "$id" ] || fail "judgments listed no watchlist hit: $listed"
[ -z "$("$ctl" judgments --kind hotspot)" ] || fail "a kind filter let other kinds through"
"$ctl" judgment --id "$id" | grep -q "\"judgmentId\":\"$id\"" || fail "judgment --id"
logged=$("$ctl" judgments | wc -l)
"$ctl" review --id "$id" --status confirmed --note "seen at the hotel" |
  grep -q 'REVIEW_STATUS_CONFIRMED' || fail "review"
# The stream replays the log (every judgment so far, then the review) and stays live.
"$ctl" judgments --follow --count $((logged + 1)) --timeout 20s | tail -n 1 |
  grep -q '"reviewer":"analyst-3"' || fail "the review did not reach the analyst stream"

# The review is on the audit trail, read from Kafka as the admin machine.
"$ctl" audit --subject analyst-3 | grep -q '"method":"JudgmentService/Review"' ||
  fail "the review is not in infobus.audit.v1"

# Supervision follows the item through the bus (its ACLs let it read what the others wrote):
# the judged sample event traces to its judgment, and a supervisor's report names its month.
export INFOBUS_SUPERVISION_ADDR=127.0.0.1:$((INFOBUS_GRPC_PORT_BASE + 4))
pki=${INFOBUS_PKI_DIR:-$run/pki}
"$ctl" health --addr "$INFOBUS_SUPERVISION_ADDR" --service infobus.supervision.v1.SupervisionService \
  --cert "$pki/services/admin.pem" --key "$pki/services/admin.key" | grep -qx SERVING ||
  fail "supervision is not SERVING"
supervisor=$("$ctl" token mint --sub supervisor-2 --role supervisor --unit chongzuo-ops --jurisdiction 4514 --clearance SECRET)
traced=""
for _ in $(seq 1 40); do
  traced=$("$ctl" trace --event fusui-lodging/hotel-0001 --format json --token "$supervisor" 2>&1) &&
    echo "$traced" | grep -q '"judgmentId"' && break
  sleep 0.5
done
echo "$traced" | grep -q '"judgmentId"' || fail "trace of the judged sample event: $traced"
"$ctl" trace --event fusui-lodging/hotel-0001 --token "$supervisor" | grep -q '^judgment ' ||
  fail "trace --format table has no judgment header"
"$ctl" report --month 2026-11 --format json --token "$supervisor" | grep -q '"utcOffset":"+08:00"' ||
  fail "report --month 2026-11 was not read in the routing file's +08:00"
csv=$("$ctl" report --month 2026-11 --format csv --token "$supervisor") || fail "report --format csv"
[[ $csv == "section,since,until,utc_offset"$'\r\n'* ]] || fail "report --format csv: $csv"
"$ctl" report --month 2026-11 --token "$officer7" >/dev/null 2>&1 &&
  fail "an officer's token got a report (supervisors only)"

pids=$(cat "$run"/pids/*.pid)
broker_pid=$(cat "$run/kafka/broker.pid")
"$repo/scripts/down.sh"
for pid in $pids $broker_pid; do
  ! kill -0 "$pid" 2>/dev/null || fail "process $pid still running after down.sh"
done
echo "up.sh and down.sh: OK"
