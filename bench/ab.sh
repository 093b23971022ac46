#!/usr/bin/env bash
# Interleaved A/B of two gateway jars or two sets of JVM options: bench/run.sh for A, B, A, B, ..., then the
# gateway's and nginx's rows of every run, one under another, and each side's gateway CPU per call over nginx's in
# the same run. One run against another of the same jar moves by ±10 % on these machines (bench/RESULTS.md,
# sessions 12 and 13), so a change is judged against that spread, never by one run each.
#
# usage: bench/ab.sh [PAIRS]        PAIRS: how many A/B pairs (default 2)
#   A_JAR, B_JAR     gateway jars (default: GATEWAY_JAR, else target/function-gateway.jar, for both)
#   A_OPTS, B_OPTS   the gateway's JVM options on each side (GATEWAY_JAVA_OPTS of bench/run.sh; default: none)
#   CASES, DURATION, JIT_WARMUP   as for bench/run.sh; defaults here: small-1x1, 15 s, 40 s (~3.5 min a run)
#   OUT              where each run's table (and the gateway's not-OK access lines) is kept (default: a new
#                    directory under /tmp)
# Everything else (GATEWAY_JAVA, WAIT_IDLE, ...) goes to bench/run.sh as it is.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PAIRS=${1:-2}
A_JAR=${A_JAR:-${GATEWAY_JAR:-$ROOT/target/function-gateway.jar}}
B_JAR=${B_JAR:-$A_JAR}
A_OPTS=${A_OPTS:-}
B_OPTS=${B_OPTS:-}
export CASES=${CASES:-small-1x1} DURATION=${DURATION:-15} JIT_WARMUP=${JIT_WARMUP:-40}
OUT=${OUT:-$(mktemp -d /tmp/bench-ab.XXXXXX)}
mkdir -p "$OUT"

for pair in $(seq 1 "$PAIRS"); do
    for side in A B; do
        jar=${side}_JAR opts=${side}_OPTS
        run="$OUT/run-$pair-$side"
        GATEWAY_JAR=${!jar} GATEWAY_JAVA_OPTS=${!opts} OUT="$run" "$ROOT/bench/run.sh" >"$run.log" 2>&1
        # Keep the table, and the gateway's access lines of calls that did not end OK (so that an ERRORS row can be
        # explained; warm-ups cut off by time leave a few CANCELLED or 499 lines too); a run's directory holds its
        # worker's and proxies' files (the large case's too) and an access line per call.
        cp "$run/table.md" "$run.md"
        grep -h 'dev.functiongateway.access' "$run"/gateway*.log | grep -v -E ' status=(OK|200) ' >"$run.not-ok" || true
        rm -rf "$run"
    done
done

echo "A: ${A_JAR##*/} \"${A_OPTS:-none}\"   B: ${B_JAR##*/} \"${B_OPTS:-none}\"   cases: $CASES   runs: $OUT"
echo
echo "| run | side | case | via | throughput | p99 ms | CPU ms/call | usr / sys |"
echo "|---|---|---|---|---|---|---|---|"
for pair in $(seq 1 "$PAIRS"); do
    for side in A B; do
        awk -F' *\\| *' -v run="$pair" -v side="$side" '$3 == "nginx" || $3 == "gateway" {
            printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", run, side, $2, $3, $5, $7, $8, $9 }' \
            "$OUT/run-$pair-$side.md"
    done
done
echo
echo "Gateway CPU per call over nginx's in the same run, by case:"
for side in A B; do
    cat "$OUT"/run-*-"$side".md | awk -F' *\\| *' -v side="$side" '
        $3 == "nginx" { nginx[$2] = $8 }
        $3 == "gateway" && nginx[$2] > 0 { ratios[$2] = ratios[$2] sprintf(" %.2f", $8 / nginx[$2]) }
        END { for (c in ratios) printf "  %s %s:%s\n", side, c, ratios[c] }'
done
