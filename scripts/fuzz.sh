#!/usr/bin/env bash
# Fuzzes the admin API's JSON bodies, the parsing of authorization values and ids, the gRPC header values the
# proxy reads and writes (grpc-timeout, grpc-status, grpc-message) and the request of its own health check with
# Jazzer, one target after another, each for DURATION (default 5m; CI runs it with a few seconds). Loopback only; each run stops
# by itself. A finding fails the run and its input is written under
# src/test/resources/dev/functiongateway/<package>/<Class>Inputs/, where the regression run of './mvnw verify'
# replays it from then on.
#   scripts/fuzz.sh [DURATION]      e.g. scripts/fuzz.sh 30s
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-5m}"
targets=(
    "AdminBodyFuzzTest#adminBodies"
    "ParsingFuzzTest#authorizationValues"
    "ParsingFuzzTest#mistypedGeneratedKeys"
    "ParsingFuzzTest#uuids"
    "GrpcWireFuzzTest#timeouts"
    "GrpcWireFuzzTest#statusHeaders"
    "GrpcWireFuzzTest#healthCheckRequests"
)
./mvnw -B -ntp -q test-compile
for target in "${targets[@]}"; do
    echo "== fuzzing ${target} for ${duration}"
    # Jazzer fuzzes one test per JVM; the fuzz-regression execution runs fuzz tests apart from the others.
    JAZZER_FUZZ=1 ./mvnw -B -ntp surefire:test@fuzz-regression -Dtest="${target}" -Djazzer.max_duration="${duration}" \
        -Dsurefire.failIfNoSpecifiedTests=false
done
