#!/usr/bin/env bash
# Runs the sample: a nats-server of its own on a free loopback port, node sample-2 in the background and
# node sample-1 in the foreground for a few seconds; both log what they see of each other.
set -euo pipefail
cd "$(dirname "$0")/.."

nats_server=${NATS_SERVER_BIN:-$(command -v nats-server || echo /usr/sbin/nats-server)}
if [ ! -x "$nats_server" ]; then
  echo "nats-server not found; installing Debian's package" >&2
  apt-get update -qq && apt-get install -y -qq nats-server >/dev/null
  nats_server=$(command -v nats-server || echo /usr/sbin/nats-server)
fi

mvn -q -B install -DskipTests -pl sample-app -am

work=$(mktemp -d)
"$nats_server" -js -sd "$work/store" -a 127.0.0.1 -p -1 > "$work/nats.log" 2>&1 &
server_pid=$!
node_pid=""
cleanup() {
  if [ -n "$node_pid" ]; then kill "$node_pid" 2>/dev/null; wait "$node_pid" 2>/dev/null || true; fi
  kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for _ in $(seq 100); do
  grep -q "Server is ready" "$work/nats.log" && break
  sleep 0.1
done
port=$(sed -n 's/.*Listening for client connections on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/nats.log" | head -1)
[ -n "$port" ] || { cat "$work/nats.log"; echo "nats-server did not start" >&2; exit 1; }
echo "nats-server with JetStream on 127.0.0.1:$port"

jar=sample-app/target/sample-app.jar
NATS_URL="nats://127.0.0.1:$port" NODE_ID=sample-2 java -jar "$jar" &
node_pid=$!
NATS_URL="nats://127.0.0.1:$port" NODE_ID=sample-1 java -jar "$jar" --sample.greeting="hello from sample-1" \
  --sample.run-for=6s
echo "sample-1 has left; stopping sample-2"
kill "$node_pid"
wait "$node_pid" || true
node_pid=""
