#!/usr/bin/env bash
# The README's first command works: scripts/up.sh --detach brings up a broker and the three
# services, loads the samples and shows unit fusui-psb receiving the judged sample event; and
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

# A base port with `count` consecutive free ports after it.
free_ports() {
  python3 - "$1" <<'PY'
import random, socket, sys
count = int(sys.argv[1])
for _ in range(200):
    base = random.randrange(22000, 30000)
    socks = []
    try:
        for p in range(base, base + count):
            s = socket.socket(); s.bind(("127.0.0.1", p)); socks.append(s)
        print(base); break
    except OSError:
        pass
    finally:
        for s in socks: s.close()
PY
}
export INFOBUS_KAFKA_PORT=$(free_ports 2)
export INFOBUS_GRPC_PORT_BASE=$(( $(free_ports 4) ))
export INFOBUS_METRICS_LISTEN=127.0.0.1:0

output=$("$repo/scripts/up.sh" --detach 2>&1) || { echo "$output"; echo "FAIL: up.sh exited non-zero"; exit 1; }
echo "$output" | tail -n 25
fail() { echo "FAIL: $*"; exit 1; }
echo "$output" | grep -q '"deliveryId":"fusui-psb/1"' || fail "fusui-psb did not receive the judged event"
echo "$output" | grep -q 'PUBLISH_OUTCOME_REJECTED' || fail "the invalid sample event was not rejected"
echo "$output" | grep -q 'scripts/down.sh' || fail "up.sh did not say how to stop"

# The sign-off and feedback commands the README shows work against the running demo.
ctl=$INFOBUS_BUILD_DIR/bin/infobusctl
export INFOBUS_DISPATCH_ADDR=127.0.0.1:$((INFOBUS_GRPC_PORT_BASE + 3))
"$ctl" ack --unit fusui-psb --seq 1 --by officer-7 | grep -q '"acknowledgedBy":"officer-7"' ||
  fail "ack"
"$ctl" feedback --unit fusui-psb --seq 1 --outcome apprehended --note "at the hotel" \
  --by officer-7 | grep -q 'FEEDBACK_OUTCOME_APPREHENDED' || fail "feedback"
"$ctl" feedback --unit fusui-psb --seq 1 --outcome not_found --by officer-8 |
  grep -q '"alreadyRecorded":true' || fail "a second feedback was not reported as already recorded"
"$ctl" deliveries --unit fusui-psb | grep -q '"deliveryId":"fusui-psb/1"' || fail "deliveries"
[ -z "$("$ctl" deliveries --unit fusui-psb --status pending)" ] ||
  fail "a signed-off delivery is still listed as pending"

# The analyst's commands: list, fetch, review and stream judgments.
export INFOBUS_JUDGMENT_ADDR=127.0.0.1:$((INFOBUS_GRPC_PORT_BASE + 2))
listed=$("$ctl" judgments --kind watchlist_hit --severity medium) || fail "judgments"
id=$(echo "$listed" | head -n 1 | sed -n 's/.*"judgmentId":"\([^"]*\)".*/\1/p')
[ -n "$id" ] || fail "judgments listed no watchlist hit: $listed"
[ -z "$("$ctl" judgments --kind hotspot)" ] || fail "a kind filter let other kinds through"
"$ctl" judgment --id "$id" | grep -q "\"judgmentId\":\"$id\"" || fail "judgment --id"
logged=$("$ctl" judgments | wc -l)
"$ctl" review --id "$id" --status confirmed --note "seen at the hotel" --by analyst-3 |
  grep -q 'REVIEW_STATUS_CONFIRMED' || fail "review"
# The stream replays the log (every judgment so far, then the review) and stays live.
"$ctl" judgments --follow --count $((logged + 1)) --timeout 20s | tail -n 1 |
  grep -q '"reviewer":"analyst-3"' || fail "the review did not reach the analyst stream"

pids=$(cat "$run"/pids/*.pid)
broker_pid=$(cat "$run/kafka/broker.pid")
"$repo/scripts/down.sh"
for pid in $pids $broker_pid; do
  ! kill -0 "$pid" 2>/dev/null || fail "process $pid still running after down.sh"
done
echo "up.sh and down.sh: OK"
