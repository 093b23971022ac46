#!/usr/bin/env bash
# Soak: mixed unary and streaming gRPC load at a fixed rate through a gateway started from the jar on 127.0.0.1,
# then a summary (calls by status, heap and threads at start/middle/end, connections and sessions at the end).
# Exits non-zero if any call failed or connections/sessions are not back to zero. Stops every process it started.
#
# Settings (environment):
#   DURATION         seconds of load (default 600; CI runs 60)
#   UNARY_RATE       unary calls per second (default 50)
#   STREAM_RATE      bidi streams of 10 messages per second (default 5)
#   CONNECTIONS      client connections the load is spread over (default 8)
#   HTTP_PORT        admin API port of the gateway started here (default 18080)
#   GRPC_PORT        gRPC listener port (default 18081)
#   MANAGEMENT_PORT  actuator port (default 18082)
#   JAR              the gateway jar (default target/function-gateway.jar, built if missing)
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-600}
UNARY_RATE=${UNARY_RATE:-50}
STREAM_RATE=${STREAM_RATE:-5}
CONNECTIONS=${CONNECTIONS:-8}
HTTP_PORT=${HTTP_PORT:-18080}
GRPC_PORT=${GRPC_PORT:-18081}
MANAGEMENT_PORT=${MANAGEMENT_PORT:-18082}
ADMIN_KEY="soak-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"

work=$(mktemp -d)
gateway_pid=""
cleanup() {
    if [ -n "$gateway_pid" ] && kill -0 "$gateway_pid" 2>/dev/null; then
        kill -TERM "$gateway_pid" 2>/dev/null || true
        for _ in $(seq 1 60); do kill -0 "$gateway_pid" 2>/dev/null || break; sleep 1; done
        kill -KILL "$gateway_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

JAR=${JAR:-target/function-gateway.jar}
if [ ! -f "$JAR" ]; then
    ./mvnw -B -ntp -q package -DskipTests
fi
# The soak client and its echo worker live in the test sources.
./mvnw -B -ntp -q test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$work/classpath.txt"

echo "Starting $JAR: admin 127.0.0.1:$HTTP_PORT, gRPC :$GRPC_PORT, actuator :$MANAGEMENT_PORT"
# The key reaches the gateway by environment, never on a command line others can read.
GATEWAY_AUTH_BOOTSTRAP_ADMIN_KEY="$ADMIN_KEY" java -Xmx512m -jar "$JAR" \
    --server.address=127.0.0.1 --server.port="$HTTP_PORT" \
    --gateway.proxy.port="$GRPC_PORT" \
    --management.server.port="$MANAGEMENT_PORT" --management.server.address=127.0.0.1 \
    --spring.datasource.url="jdbc:h2:file:$work/db" >"$work/gateway.log" 2>&1 &
gateway_pid=$!

# curl or wget, whichever CI has (.ci/run installs one of them).
ready_probe() {
    if command -v curl >/dev/null 2>&1; then curl -fsS "$1" >/dev/null 2>&1; else wget -q -O /dev/null "$1"; fi
}
ready=""
for _ in $(seq 1 120); do
    if ready_probe "http://127.0.0.1:$MANAGEMENT_PORT/actuator/health/readiness"; then
        ready=yes
        break
    fi
    kill -0 "$gateway_pid" 2>/dev/null || break
    sleep 1
done
if [ -z "$ready" ]; then
    echo "The gateway did not become ready; its log:" >&2
    tail -n 50 "$work/gateway.log" >&2
    exit 1
fi

status=0
SOAK_ADMIN_KEY="$ADMIN_KEY" timeout $((DURATION + 240)) java -cp "target/test-classes:$(cat "$work/classpath.txt")" \
    -Dsoak.http-port="$HTTP_PORT" -Dsoak.grpc-port="$GRPC_PORT" -Dsoak.management-port="$MANAGEMENT_PORT" \
    -Dsoak.gateway-pid="$gateway_pid" -Dsoak.duration-seconds="$DURATION" -Dsoak.unary-per-second="$UNARY_RATE" \
    -Dsoak.streams-per-second="$STREAM_RATE" -Dsoak.connections="$CONNECTIONS" \
    dev.functiongateway.faults.Soak || status=$?

if grep -E ' (ERROR|WARN) ' "$work/gateway.log" | grep -v -E 'Flyway|HV000271|SpringDoc' >"$work/problems.txt"; then
    echo "Gateway log, warnings and errors during the soak:"
    head -n 20 "$work/problems.txt"
fi
exit "$status"
