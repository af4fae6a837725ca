#!/usr/bin/env bash
# Runs the sample as a live demo of a cluster: a nats-server of its own on a free loopback port, three nodes on
# 8081-8083 (or the next free ports), a write through one node read through the others, the leader killed with
# SIGKILL and removed by the survivors, who elect a new one; then the nodes keep running, with the page at the
# first node's address, until Ctrl-C.
#   --ci   the same steps on free ports; each is checked, and the script exits non-zero naming the step that
#          failed, or 0 once all passed. Everything it started is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

ci=false
case "${1:-}" in
  --ci) ci=true ;;
  "") ;;
  *) echo "usage: $0 [--ci]" >&2; exit 2 ;;
esac

nats_server=${NATS_SERVER_BIN:-$(command -v nats-server || echo /usr/sbin/nats-server)}
if [ ! -x "$nats_server" ]; then
  echo "nats-server not found; installing Debian's package" >&2
  apt-get update -qq && apt-get install -y -qq nats-server >/dev/null
  nats_server=$(command -v nats-server || echo /usr/sbin/nats-server)
fi

work=$(mktemp -d)
pids=()
server_pid=""
# The nodes stop first, while nats-server still runs, so that they leave the cluster gracefully.
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'echo; echo "Stopping the nodes and nats-server"; exit 0' INT TERM

fail() {
  echo "FAILED: $step: $*" >&2
  for log in "$work"/*.log; do
    [ -f "$log" ] || continue
    echo "--- last lines of $(basename "$log")" >&2
    tail -n 15 "$log" >&2
  done
  exit 1
}

# wait_until SECONDS COMMAND...: runs COMMAND every half second until it succeeds or SECONDS have passed.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

step="build the sample"
echo "==> Building the sample (mvn package; nothing is installed into ~/.m2)"
mvn -B -ntp package -DskipTests -pl sample-app -am > "$work/build.txt" 2>&1 \
  || { tail -n 40 "$work/build.txt" >&2; fail "mvn package failed"; }

step="start nats-server"
# In a session of its own, so that Ctrl-C does not reach it before the nodes have left.
setsid "$nats_server" -js -sd "$work/store" -a 127.0.0.1 -p -1 > "$work/nats-server.log" 2>&1 &
server_pid=$!
wait_until 10 grep -q "Server is ready" "$work/nats-server.log" || fail "it did not report ready"
nats_port=$(sed -n 's/.*Listening for client connections on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/nats-server.log" | head -1)
[ -n "$nats_port" ] || fail "no client port in its log"
echo "==> nats-server with JetStream on 127.0.0.1:$nats_port"

declare -A node_pid node_url node_port
# sample-1, sample-2 and sample-3 on 8081, 8082 and 8083, or the next free ports; with --ci on any free port.
next_port=8081
for id in sample-1 sample-2 sample-3; do
  node_port[$id]=0
  if ! $ci; then
    while ! port_free "$next_port"; do next_port=$((next_port + 1)); done
    node_port[$id]=$next_port
    next_port=$((next_port + 1))
  fi
done

start_node() {
  local id=$1
  java -XX:TieredStopAtLevel=1 -jar sample-app/target/sample-app.jar --coordinator.node-id="$id" \
    --coordinator.nats.servers="nats://127.0.0.1:$nats_port" --server.port="${node_port[$id]}" > "$work/$id.log" 2>&1 &
  node_pid[$id]=$!
  pids+=($!)
}

started() {
  local id=$1 port
  kill -0 "${node_pid[$id]}" 2>/dev/null || fail "$id exited"
  port=$(sed -n 's/.*Tomcat started on port \([0-9]*\).*/\1/p' "$work/$id.log" | head -1)
  [ -n "$port" ] || return 1
  node_url[$id]="http://127.0.0.1:$port"
}

members_of() {
  curl -sf "${node_url[$1]}/members" | grep -o '"nodeId":"[^"]*"' | cut -d'"' -f4 | tr '\n' ' ' | sed 's/ $//'
}

leader_of() {
  curl -sf "${node_url[$1]}/leader" | sed -n 's/.*"leader":"\([^"]*\)".*/\1/p'
}

leads() {
  [ "$(leader_of "$1")" = "$2" ]
}

sees_members() {
  local id=$1 expected=$2
  [ "$(members_of "$id")" = "$expected" ]
}

step="start the nodes"
echo "==> Starting sample-2 first, so that it leads (it is the node this demo kills), then sample-1 and sample-3"
for id in sample-2 sample-1 sample-3; do
  start_node "$id"
  wait_until 120 started "$id" || fail "$id did not start its web server within 120 s"
  if [ "$id" = sample-2 ]; then
    wait_until 30 leads sample-2 sample-2 || fail "sample-2 did not take the leadership"
  fi
  echo "    $id on ${node_url[$id]} (pid ${node_pid[$id]})"
done

step="every node sees three members"
for id in sample-1 sample-2 sample-3; do
  wait_until 30 sees_members "$id" "sample-1 sample-2 sample-3" \
    || fail "$id sees '$(members_of "$id")' (GET ${node_url[$id]}/members)"
done
echo "==> Every node sees the members sample-1 sample-2 sample-3 (GET /members)"

step="every node reports sample-2 as the leader"
for id in sample-1 sample-3; do
  wait_until 10 leads "$id" sample-2 || fail "$id reports '$(leader_of "$id")' (GET ${node_url[$id]}/leader)"
done
echo "==> Every node reports the leader (GET /leader): $(curl -sf "${node_url[sample-1]}/leader")"

step="open sample-3's event stream"
curl -sN "${node_url[sample-3]}/events" > "$work/sample-3-events.txt" 2>/dev/null &
pids+=($!)
wait_until 10 grep -q '^data:' "$work/sample-3-events.txt" || fail "GET ${node_url[sample-3]}/events sent nothing"

step="write /config/greeting through sample-1"
written=$(curl -sf -X PUT --data "hello from sample-1" "${node_url[sample-1]}/kv/config/greeting") \
  || fail "PUT ${node_url[sample-1]}/kv/config/greeting failed"
echo "==> PUT ${node_url[sample-1]}/kv/config/greeting 'hello from sample-1'"
echo "    $written"

step="read /config/greeting through sample-2 and sample-3"
echo "==> The other nodes read it (GET /kv/config/greeting)"
for id in sample-2 sample-3; do
  read=$(curl -sf "${node_url[$id]}/kv/config/greeting") || fail "GET ${node_url[$id]}/kv/config/greeting failed"
  case "$read" in *'"value":"hello from sample-1"'*) ;; *) fail "$id answered $read" ;; esac
  echo "    $id: $read"
done

step="sample-3's event stream carries the write"
wait_until 10 grep -q "/config/greeting = 'hello from sample-1' by sample-1" "$work/sample-3-events.txt" \
  || fail "no such event in GET ${node_url[sample-3]}/events"
event=$(grep -o "\"kind\":\"PUT\",\"text\":\"/config/greeting = 'hello from sample-1' by sample-1[^\"]*\"" \
  "$work/sample-3-events.txt" | head -1)
echo "==> sample-3's event stream (GET /events) carried it: $event"

step="SIGKILL the leader, sample-2"
echo "==> kill -9 ${node_pid[sample-2]}: sample-2, the leader, dies without leaving"
killed_at=$SECONDS
kill -9 "${node_pid[sample-2]}"
wait "${node_pid[sample-2]}" 2>/dev/null || true

step="the survivors remove sample-2 and elect a new leader"
survivors_agree() {
  local id leader
  for id in sample-1 sample-3; do
    sees_members "$id" "sample-1 sample-3" || return 1
    leader=$(leader_of "$id")
    [ "$leader" = sample-1 ] || [ "$leader" = sample-3 ] || return 1
  done
  [ "$(leader_of sample-1)" = "$(leader_of sample-3)" ]
}
wait_until 30 survivors_agree \
  || fail "30 s after the kill sample-1 sees '$(members_of sample-1)' led by '$(leader_of sample-1)'," \
    "sample-3 sees '$(members_of sample-3)' led by '$(leader_of sample-3)'"
echo "==> After $((SECONDS - killed_at)) s both survivors see the members sample-1 sample-3, and the new leader:"
echo "    $(curl -sf "${node_url[sample-1]}/leader")"
grep -o '"text":"sample-2 stopped renewing[^"]*"' "$work/sample-3-events.txt" | head -1 | sed 's/^/    sample-3 streamed: /'

step="health and metrics of sample-1"
# Actuator answers 503 while a health indicator is DOWN.
health=$(curl -sf "${node_url[sample-1]}/actuator/health/coordinator") \
  || fail "GET ${node_url[sample-1]}/actuator/health/coordinator: $(curl -s "${node_url[sample-1]}/actuator/health")"
meters=$(curl -sf "${node_url[sample-1]}/actuator/prometheus" | grep -c '^coordinator_') \
  || fail "no coordinator_ meters in GET ${node_url[sample-1]}/actuator/prometheus"
echo "==> sample-1's coordinator health (GET /actuator/health/coordinator): $health"
echo "    GET /actuator/prometheus: $meters samples of coordinator_ meters"

if $ci; then
  echo "All steps passed."
  exit 0
fi

echo
echo "The cluster runs on: sample-1 ${node_url[sample-1]}/ and sample-3 ${node_url[sample-3]}/"
echo "Open ${node_url[sample-1]}/ to watch it live. Try: curl -X PUT --data hi ${node_url[sample-3]}/kv/demo/hi"
echo "Ctrl-C stops the nodes and nats-server."
if [ -n "${DISPLAY:-}" ] && command -v xdg-open >/dev/null 2>&1; then
  xdg-open "${node_url[sample-1]}/" >/dev/null 2>&1 || true
fi
while true; do
  wait -n "${node_pid[sample-1]}" "${node_pid[sample-3]}" 2>/dev/null || true
  kill -0 "${node_pid[sample-1]}" 2>/dev/null || fail "sample-1 exited"
  kill -0 "${node_pid[sample-3]}" 2>/dev/null || fail "sample-3 exited"
done
