#!/usr/bin/env bash
# Every command line of README.md's ```sh blocks runs as written, from the repository root, in
# the README's order, against a bus that scripts/up.sh brings up on free ports with a private run
# dir (so the test disturbs no other bus). The environment is what such a bus asks for (the
# INFOBUS_*_ADDR exports up.sh prints for non-default ports) with $USER and $LOGNAME unset, as
# in a container, and no credential exported (INFOBUS_TOKEN, _CERT, _KEY, _CA): the README's
# lines say who calls. Each line must exit as it promises (0 unless listed below) and show what it
# promises; `scripts/down.sh` runs last, since the other examples need the bus.
#
# Skipped, with the reason, are only the lines listed in `skip`. A line the test does not know
# is run as written too and must exit 0 within $line_limit seconds, so an example that fails or
# never ends fails this test until the README is fixed or the line is listed here.
#   readme_test.sh <repo> <build dir>
set -euo pipefail
repo=$1
export INFOBUS_BUILD_DIR=$2
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
run=$(mktemp -d)
export INFOBUS_RUN_DIR=$run
cleanup() {
  "$repo/scripts/down.sh" >/dev/null 2>&1 || true
  rm -rf "$run"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  exit 1
}
line_limit=120

export INFOBUS_KAFKA_PORT=$(free_ports 2)
export INFOBUS_GRPC_PORT_BASE=$(free_ports 5)  # + 1 .. 4: the four services
export INFOBUS_METRICS_LISTEN=127.0.0.1:0
export INFOBUS_COLLECTION_ADDR=127.0.0.1:$((INFOBUS_GRPC_PORT_BASE + 1))
export INFOBUS_JUDGMENT_ADDR=127.0.0.1:$((INFOBUS_GRPC_PORT_BASE + 2))
export INFOBUS_DISPATCH_ADDR=127.0.0.1:$((INFOBUS_GRPC_PORT_BASE + 3))
export INFOBUS_SUPERVISION_ADDR=127.0.0.1:$((INFOBUS_GRPC_PORT_BASE + 4))
# The benchmark's smoke run uses the bus's broker and a run dir of its own.
export INFOBUS_BENCH_KAFKA=127.0.0.1:$INFOBUS_KAFKA_PORT INFOBUS_BENCH_RUN_DIR=$run/bench
unset USER LOGNAME INFOBUS_TOKEN INFOBUS_CERT INFOBUS_KEY INFOBUS_CA INFOBUS_PKI_DIR
cd "$repo"

# Lines that cannot run here, by command (the line without its trailing comment).
declare -A skip=(
  ["scripts/test.sh"]="the whole suite, which runs this test"
  ["scripts/test.sh -L unit"]="a part of the suite that runs this test"
  ["scripts/test.sh -L integration"]="a part of the suite that runs this test (it is in it)"
  ["scripts/bench.sh"]="the full benchmark: minutes of load on shared cores (--smoke runs the same steps)"
  ["scripts/bench.sh --concurrency 8 --batch 500 --out /tmp/b.json"]="a full benchmark run with other sizes: minutes"
  ["scripts/faults.sh"]="the full fault suite: about 10 minutes of kill -9 rounds and broker outages"
  ["scripts/faults.sh --short"]="the suite runs this scale already (Faults.ShortRunOfKillNineRoundsAndBrokerOutagesLosesNothing)"
)

# The command of a README line: the line without its trailing comment.
command_of() { sed -E 's/[[:space:]]+#[^"]*$//; s/[[:space:]]+$//' <<<"$1"; }

# Checks what a line did (exit code `rc`, output in file `out`); prints why not and returns 1.
check() {
  local command=$1 rc=$2 out=$3 want_rc=0 ok=true
  case "$command" in
    "scripts/up.sh --detach")
      grep -q '"deliveryId":"fusui-psb/1"' "$out" || ok=false ;;
    "scripts/down.sh")
      grep -q '\[down\] stopping collection' "$out" || ok=false ;;
    "infobusctl watch add --list wanted_person"*)
      grep -q '"listId":"wanted_person"' "$out" || ok=false ;;
    "grep -F '\"sourceId\":\"fusui-lodging\"' deploy/samples/events.jsonl | infobusctl publish"*)
      want_rc=1  # bad-0001 is invalid on purpose; the other one was published by up.sh
      grep -q PUBLISH_OUTCOME_REJECTED "$out" && grep -q PUBLISH_OUTCOME_DUPLICATE "$out" || ok=false ;;
    "infobusctl watch remove "*)
      want_rc=1  # an analyst may not change the watchlist: the server's reason
      grep -q 'PERMISSION_DENIED: .*only an administrator may change the watchlist' "$out" ||
        ok=false ;;
    "infobusctl audit --subject analyst-3")
      grep -q '"subject":"analyst-3".*"decision":"AUDIT_DECISION_ALLOWED"' "$out" &&
        grep -q '"subject":"analyst-3".*"decision":"AUDIT_DECISION_DENIED"' "$out" || ok=false ;;
    "infobusctl audit --decision denied"*)
      grep -q '"decision":"AUDIT_DECISION_DENIED"' "$out" &&
        ! grep -q '"decision":"AUDIT_DECISION_ALLOWED"' "$out" || ok=false ;;
    "infobusctl follow --unit fusui-psb"*)
      grep -q '"deliveryId":"fusui-psb/1"' "$out" || ok=false ;;
    "infobusctl ack --unit fusui-psb --seq 1")
      grep -q '"acknowledgedBy":"officer-7"' "$out" || ok=false ;;  # the token's subject
    "infobusctl feedback --unit fusui-psb --seq 1"*)
      grep -q '"givenBy":"officer-7"' "$out" && grep -q FEEDBACK_OUTCOME_APPREHENDED "$out" ||
        ok=false ;;
    "infobusctl judgments --severity high --jurisdiction 4514")
      grep -q '"judgmentId"' "$out" || ok=false ;;
    "infobusctl judgments --follow"*)
      grep -q JUDGMENT_KIND_WATCHLIST_HIT "$out" || ok=false ;;
    "id="*)
      [[ ${id:-} =~ ^[^[:space:]]+$ && $id != null ]] || ok=false ;;
    "infobusctl judgment --id \"\$id\""*)
      grep -q "\"judgmentId\":\"$id\"" "$out" || ok=false ;;
    "infobusctl review --id \"\$id\""*)
      grep -q REVIEW_STATUS_CONFIRMED "$out" && grep -q '"reviewer":"analyst-3"' "$out" ||
        ok=false ;;
    "infobusctl units")
      grep -q '"unitId":"fusui-psb"' "$out" || ok=false ;;
    "infobusctl health "*)
      [ "$(cat "$out")" = SERVING ] || ok=false ;;
  esac
  if [ "$rc" != "$want_rc" ] || ! $ok; then
    echo "FAIL: '$command' exited $rc (want $want_rc)$($ok || echo ", output not as promised"):"
    sed 's/^/    /' "$out" | tail -n 30
    return 1
  fi
}

# `scripts/up.sh` in the foreground, then Ctrl-C: SIGINT to its process group, as a terminal
# sends it. Everything it started must stop.
up_then_ctrl_c() {
  local line=$1 out=$2
  set -m  # its own process group, like a terminal's foreground job
  (eval "$line") >"$out" 2>&1 &
  local pid=$!
  set +m
  for _ in $(seq 1 1200); do
    grep -q '^infobus is running' "$out" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5  # waiting for another process's output
  done
  grep -q '^infobus is running' "$out" || { cat "$out"; fail "'$line' did not come up"; }
  local started
  started=$(cat "$run"/pids/*.pid "$run/kafka/broker.pid")
  kill -INT -- "-$pid"
  local rc=0
  wait "$pid" || rc=$?
  for p in $started; do
    ! kill -0 "$p" 2>/dev/null || { cat "$out"; fail "process $p still running after Ctrl-C"; }
  done
  [ "$rc" = 0 ] || { cat "$out"; fail "'$line' exited $rc after Ctrl-C"; }
}

bus_up() { [ -f "$run/pids/collection.pid" ] && kill -0 "$(cat "$run/pids/collection.pid")" 2>/dev/null; }

mapfile -t lines < <(awk '/^```sh[[:space:]]*$/ {on = 1; next} /^```/ {on = 0} on && NF && $1 !~ /^#/' README.md)
[ "${#lines[@]}" -ge 10 ] || fail "only ${#lines[@]} command lines in README.md's sh blocks"

failures=0
deferred=()
number=0
run_line() {
  local line=$1 command out rc=0
  command=$(command_of "$line")
  number=$((number + 1))
  out=$run/line-$number.out
  if [ -n "${skip[$command]:-}" ]; then
    echo "SKIP: $line"
    echo "      (${skip[$command]})"
    return 0
  fi
  echo "RUN:  $line"
  if [ "$command" = "scripts/up.sh" ]; then
    up_then_ctrl_c "$line" "$out"
    return 0
  fi
  # The examples of infobusctl and the benchmark talk to a running bus.
  if [[ $command != scripts/up.sh* && $command != scripts/down.sh ]] && ! bus_up; then
    echo "      (bringing the bus up first: scripts/up.sh --detach)"
    scripts/up.sh --detach >"$run/up.out" 2>&1 || { cat "$run/up.out"; fail "scripts/up.sh --detach"; }
  fi
  if [[ $command =~ ^(export[[:space:]]+)?([A-Za-z_][A-Za-z0-9_]*)= ]]; then
    # An assignment: in this shell, for the lines after it.
    eval "$line" >"$out" 2>&1 || rc=$?
    export "${BASH_REMATCH[2]}"
  else
    timeout -k 10 "$line_limit" bash -c "$line" >"$out" 2>&1 </dev/null || rc=$?
    [ "$rc" != 124 ] || echo "      (still running after $line_limit s: give it a bound in the README)" >>"$out"
  fi
  check "$command" "$rc" "$out" || failures=$((failures + 1))
}

for line in "${lines[@]}"; do
  if [ "$(command_of "$line")" = scripts/down.sh ]; then
    deferred+=("$line")
    continue
  fi
  run_line "$line"
  # With the build directory elsewhere than build/, the README's PATH line misses it.
  if [[ $line == "export PATH="* ]] && ! [ "$(command -v infobusctl)" -ef "$INFOBUS_BUILD_DIR/bin/infobusctl" ]; then
    echo "      (the build is in $INFOBUS_BUILD_DIR, not build/: its bin goes first on PATH)"
    export PATH=$INFOBUS_BUILD_DIR/bin:$PATH
  fi
done
started=$(cat "$run"/pids/*.pid "$run/kafka/broker.pid" 2>/dev/null || true)
for line in "${deferred[@]}"; do run_line "$line"; done
for p in $started; do
  ! kill -0 "$p" 2>/dev/null || { echo "FAIL: process $p still running after scripts/down.sh"; failures=$((failures + 1)); }
done

[ "$failures" = 0 ] || fail "$failures README line(s) did not do what the README says"
echo "every README command: OK ($number lines)"
