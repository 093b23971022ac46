#!/usr/bin/env bash
# The gateway benchmark: the same gRPC load direct to an echo worker, through nginx grpc_pass and through the
# gateway, side by side in one run (and the same HTTP/1.1 load through nginx proxy_pass and the gateway's HTTP
# route); prints one markdown table. See bench/README.md for what and why.
#
# Environment (all optional):
#   GATEWAY_JAR            gateway fat jar to bench (default: target/function-gateway.jar, built if missing)
#   GATEWAY_JAVA           the java command that runs the gateway (default: java, as on PATH)
#   GATEWAY_JAVA_OPTS      JVM options of the gateway for the throughput cases (default: none, the JVM's own)
#   GATEWAY_BIG_JAVA_OPTS  JVM options of the gateway for the large-message case (default: -Xmx256m)
#   QUICK=1                smoke run: 1 s warm-up + 2 s per case instead of 3 s + 10 s, 64 MiB instead of 640
#   DURATION, WARMUP       seconds per measured run and per warm-up run (override QUICK's and the defaults)
#   JIT_WARMUP             seconds of load on each proxy before the first case (default 60; QUICK: 6)
#   BIG_MIB                size of the one large message each way, in MiB (default 640)
#   HUGE=1                 also stream 4 GiB each way in one call (4 MiB messages), with peak RSS
#   BIG_REPEAT             how many times each proxy gets the large message (and the 4 GiB stream) in turn;
#                          one such call varies by ±30 % (default 1)
#   BIG_ECHO               how the worker answers the large message: "stream" (each DATA frame echoed as it
#                          arrives), "after-end" (after the whole request, as gRPC's servers answer a unary
#                          call), or both (default "stream after-end")
#   PROFILE=1              also record JFR of the gateway in an extra run of each of PROFILE_CASES
#   PROFILE=async          the same with async-profiler (CPU samples with native and kernel frames; its jar is
#                          fetched once from Maven Central into ~/.cache/fgw-bench)
#   PROFILE=alloc          async-profiler's allocation samples instead: bytes allocated, by stack
#   PROFILE_CASES          cases to profile (default: "small-1x64 big-1x1")
#   CASES                  space-separated subset of: small-1x1 small-1x64 small-64x1 big-1x1 big-1x4 http-1x1
#                          http-64x1 bidi huge-msg
#   PORT_BASE              first of five fixed loopback ports (default 18400: 18401 worker, 18402 nginx,
#                          18403 gateway gRPC, 18404 gateway HTTP, 18405 gateway actuator; with an http case also
#                          +11 the worker's HTTP/1.1 port and +12 nginx's proxy_pass)
#   OUT                    directory for logs, h2load logs and JFR files (default: a new temp dir, kept)
#   BENCH_LIB              directory of jars (Netty, grpc-java) for the Java helpers (default: the gateway jar's)
#   WAIT_IDLE=1            first wait (at most 10 min) for the 1-minute load average to fall below 1
#   FLOOR=1                also measure floors beside nginx and the gateway: TcpRelay.java (Netty's epoll transport
#                          relaying bytes, no HTTP/2) in the unary cases, and H2Relay.java (frames parsed, HPACK
#                          decoded and encoded again, no features) in the 100 B cases; ports PORT_BASE+9 and +10
#   LINK_DELAY_MS          put the clients "farther away": every client connection to each target (direct, nginx,
#                          gateway) passes a relay that holds its bytes this long each way (DelayLink.java; round
#                          trip twice this); the proxies' connections to the worker stay plain loopback (default: none)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
QUICK=${QUICK:-0}
if [[ $QUICK == 1 ]]; then
    DURATION=${DURATION:-2} WARMUP=${WARMUP:-1} JIT_WARMUP=${JIT_WARMUP:-6} BIG_MIB=${BIG_MIB:-64}
else
    DURATION=${DURATION:-10} WARMUP=${WARMUP:-3} JIT_WARMUP=${JIT_WARMUP:-60} BIG_MIB=${BIG_MIB:-640}
fi
HUGE=${HUGE:-0} BIG_REPEAT=${BIG_REPEAT:-1} BIG_ECHO=${BIG_ECHO:-stream after-end}
LINK_DELAY_MS=${LINK_DELAY_MS:-}
PROFILE=${PROFILE:-0}
PROFILE_CASES=${PROFILE_CASES:-small-1x64 big-1x1}
ASYNC_PROFILER_VERSION=4.2
CASES=${CASES:-small-1x1 small-1x64 small-64x1 big-1x1 big-1x4 http-1x1 http-64x1 bidi huge-msg}
GATEWAY_JAR=${GATEWAY_JAR:-$ROOT/target/function-gateway.jar}
GATEWAY_JAVA=${GATEWAY_JAVA:-java}
GATEWAY_JAVA_OPTS=${GATEWAY_JAVA_OPTS:-}
GATEWAY_BIG_JAVA_OPTS=${GATEWAY_BIG_JAVA_OPTS:--Xmx256m}
PORT_BASE=${PORT_BASE:-18400}
PORT_WORKER=$((PORT_BASE + 1)) PORT_NGINX=$((PORT_BASE + 2))
PORT_GRPC=$((PORT_BASE + 3)) PORT_HTTP=$((PORT_BASE + 4)) PORT_MANAGEMENT=$((PORT_BASE + 5))
PORT_TCP_RELAY=$((PORT_BASE + 9)) PORT_H2_RELAY=$((PORT_BASE + 10))
PORT_WORKER_HTTP=$((PORT_BASE + 11)) PORT_NGINX_HTTP=$((PORT_BASE + 12))
HTTP_CASES=0
[[ " $CASES " == *" http-"* ]] && HTTP_CASES=1
FLOOR=${FLOOR:-0}
FLOORS=()
[[ $FLOOR == 1 ]] && FLOORS=(tcp-relay h2-relay)
# With LINK_DELAY_MS, the relays in front of the worker, nginx and the gateway's gRPC port.
declare -A LINK_PORT=([direct]=$((PORT_BASE + 6)) [nginx]=$((PORT_BASE + 7)) [gateway]=$((PORT_BASE + 8)))
HOST=127.0.0.1
OUT=${OUT:-$(mktemp -d /tmp/fgw-bench.XXXXXX)}
mkdir -p "$OUT"
TICK_HZ=$(getconf CLK_TCK)
METHOD=/inference.GRPCInferenceService/ModelInfer

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
# The floors stand for a proxy next to its clients on loopback; behind the delay relays they would measure those.
[[ $FLOOR != 1 || -z $LINK_DELAY_MS ]] || die "FLOOR=1 and LINK_DELAY_MS do not go together"

# ---- what it needs: Debian packages, a JDK, the gateway jar ----
install_missing() {
    local packages=()
    command -v nginx >/dev/null || packages+=(nginx)
    command -v h2load >/dev/null && command -v nghttp >/dev/null || packages+=(nghttp2-client)
    command -v curl >/dev/null || packages+=(curl)
    command -v jq >/dev/null || packages+=(jq)
    command -v pgrep >/dev/null || packages+=(procps)
    # Debian's own python3, where python3-grpcio goes (a python3 earlier on PATH, pyenv's say, lacks it).
    /usr/bin/python3 -c 'import grpc' 2>/dev/null || packages+=(python3-grpcio)
    ((${#packages[@]} == 0)) && return
    log "installing ${packages[*]}"
    local sudo=""
    [[ $(id -u) == 0 ]] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
}
install_missing
command -v javac >/dev/null || die "a JDK 17+ (javac, jcmd, jfr) is needed"
if [[ ! -f $GATEWAY_JAR ]]; then
    [[ $GATEWAY_JAR == "$ROOT/target/function-gateway.jar" ]] || die "GATEWAY_JAR $GATEWAY_JAR does not exist"
    log "building the gateway jar"
    (cd "$ROOT" && ./mvnw -B -ntp -q -DskipTests package) >&2
fi
GATEWAY_JAR=$(readlink -f "$GATEWAY_JAR")
log "output in $OUT"

# The helpers compile against the gateway's own libraries (Netty, grpc-java), extracted from its fat jar.
# BENCH_LIB (a directory of jars) replaces them, should a gateway build ever lack grpc-netty.
(cd "$OUT" && rm -rf BOOT-INF && jar xf "$GATEWAY_JAR" BOOT-INF/lib)
LIB="${BENCH_LIB:-$OUT/BOOT-INF/lib}/*"
mkdir -p "$OUT/classes"
javac -nowarn -cp "$LIB" -d "$OUT/classes" "$HERE"/EchoWorker.java "$HERE"/BenchClient.java "$HERE"/JfrSummary.java \
    "$HERE"/DelayLink.java "$HERE"/TcpRelay.java "$HERE"/H2Relay.java ||
    die "the helpers need Netty and grpc-java (grpc-netty, grpc-stub) from the gateway jar or BENCH_LIB"
CP="$OUT/classes:$LIB"

# ---- processes: each in its own process group, all stopped on exit ----
GROUPS_STARTED=()
stop_group() {
    local pgid=$1
    kill -TERM -- "-$pgid" 2>/dev/null || return 0
    for _ in $(seq 50); do
        kill -0 -- "-$pgid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL -- "-$pgid" 2>/dev/null || true
}
SAMPLER=  # the memory sampler running in the background, if any (a subshell of this script)
SCRAPER=  # the metrics scraper of the gateway's warm-up, while it runs (a subshell of this script)
cleanup() {
    local pgid
    [[ -z $SAMPLER ]] || kill "$SAMPLER" 2>/dev/null || true
    [[ -z $SCRAPER ]] || kill "$SCRAPER" 2>/dev/null || true
    for pgid in "${GROUPS_STARTED[@]}"; do stop_group "$pgid"; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start NAME CMD...: runs CMD in a new session (its pid is its process group id), output to $OUT/NAME.log.
STARTED_PID=
start() {
    local name=$1
    shift
    setsid "$@" >"$OUT/$name.log" 2>&1 </dev/null &
    STARTED_PID=$!
    GROUPS_STARTED+=("$STARTED_PID")
}

wait_for() { # wait_for SECONDS DESCRIPTION CMD...
    local seconds=$1 what=$2
    shift 2
    for _ in $(seq $((seconds * 5))); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    die "$what not ready after ${seconds}s"
}

port_free() { ! (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
for port in $PORT_WORKER $PORT_NGINX $PORT_GRPC $PORT_HTTP $PORT_MANAGEMENT ${LINK_DELAY_MS:+"${LINK_PORT[@]}"} \
    ${FLOORS[@]:+$PORT_TCP_RELAY $PORT_H2_RELAY} $( ((HTTP_CASES)) && echo "$PORT_WORKER_HTTP $PORT_NGINX_HTTP"); do
    port_free "$port" || die "port $HOST:$port is in use (set PORT_BASE)"
done

# ---- the echo worker ----
java -cp "$CP" BenchClient frame 100 "$OUT/small.bin"
java -cp "$CP" BenchClient frame $((4 << 20)) "$OUT/big.bin"
# Direct memory for a large message held whole (BIG_ECHO=after-end).
# With an http case, also an HTTP/1.1 echo (the HTTP route's worker) on its own port.
start worker java -Xmx1g -XX:MaxDirectMemorySize=4g -XX:+UseParallelGC -cp "$CP" EchoWorker "$HOST" "$PORT_WORKER" 2 \
    $( ((HTTP_CASES)) && echo "$PORT_WORKER_HTTP")
worker_ok() { curl -sf --http2-prior-knowledge "http://$HOST:$PORT_WORKER/bench/stats" | sed -n 's/^ok=//p'; }
wait_for 30 "echo worker" worker_ok
if ((${#FLOORS[@]})); then
    # As many event loops as the gateway's proxy listener has (one per core).
    start tcp-relay java -cp "$CP" TcpRelay "$PORT_TCP_RELAY" "$PORT_WORKER" "$(nproc)"
    TCP_RELAY_PID=$STARTED_PID
    start h2-relay java -cp "$CP" H2Relay "$PORT_H2_RELAY" "$PORT_WORKER" "$(nproc)"
    H2_RELAY_PID=$STARTED_PID
    wait_for 30 "floor relays" bash -c "exec 3<>/dev/tcp/$HOST/$PORT_TCP_RELAY && exec 4<>/dev/tcp/$HOST/$PORT_H2_RELAY"
fi

# ---- nginx: grpc_pass to the worker, 2 worker processes (one per core of the benchmark machine) ----
mkdir -p "$OUT/nginx"
# With an http case: the HTTP route's counterpart, HTTP/1.1 to the worker over a keepalive pool, as the gateway's
# route does.
NGINX_HTTP=
((HTTP_CASES == 0)) || NGINX_HTTP="
    upstream worker_http {
        server $HOST:$PORT_WORKER_HTTP;
        keepalive 256;
        keepalive_requests 100000000;
    }
    server {
        listen $HOST:$PORT_NGINX_HTTP;
        location / {
            proxy_pass http://worker_http;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
        }
    }"
cat >"$OUT/nginx/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $OUT/nginx/nginx.pid;
error_log $OUT/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $OUT/nginx/body;
    proxy_temp_path $OUT/nginx/proxy;
    fastcgi_temp_path $OUT/nginx/fastcgi;
    uwsgi_temp_path $OUT/nginx/uwsgi;
    scgi_temp_path $OUT/nginx/scgi;
    client_max_body_size 0;
    # nginx closes a client connection after keepalive_requests (1000) requests; h2load does not reconnect.
    keepalive_requests 100000000;
    upstream worker {
        server $HOST:$PORT_WORKER;
        keepalive 256;
        keepalive_requests 100000000;
    }
    server {
        listen $HOST:$PORT_NGINX http2;
        http2_max_concurrent_streams 1024;
        grpc_buffer_size 1m;
        grpc_read_timeout 300s;
        grpc_send_timeout 300s;
        location / { grpc_pass grpc://worker; }
    }
$NGINX_HTTP
}
EOF
start nginx nginx -p "$OUT/nginx" -c "$OUT/nginx/nginx.conf" -e "$OUT/nginx/error.log"
NGINX_PID=$STARTED_PID
nginx_pids() { echo "$NGINX_PID" $(pgrep -P "$NGINX_PID" || true); }

# ---- the gateway: fresh H2 data dir, the shipped application.yml, function and key via the admin API ----
mkdir -p "$OUT/gateway"
cp "$ROOT/application.yml" "$OUT/gateway/"
ADMIN_KEY="bench-admin-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
GATEWAY_PID=
start_gateway() { # start_gateway LOGNAME JAVA_OPTS: starts it and waits until it is ready
    local name=$1 opts=$2
    # The key reaches the gateway through its environment only (never argv, never a log line).
    # shellcheck disable=SC2086 # the options are words
    GATEWAY_AUTH_BOOTSTRAP_ADMIN_KEY=$ADMIN_KEY start "$name" env -C "$OUT/gateway" "$GATEWAY_JAVA" $opts -jar "$GATEWAY_JAR" \
        --server.address=$HOST --server.port="$PORT_HTTP" \
        --management.server.address=$HOST --management.server.port="$PORT_MANAGEMENT" \
        --gateway.proxy.address=$HOST --gateway.proxy.port="$PORT_GRPC"
    GATEWAY_PID=$STARTED_PID
    wait_for 180 "gateway" curl -sf "http://$HOST:$PORT_MANAGEMENT/actuator/health/readiness"
}
stop_gateway() { stop_group "$GATEWAY_PID"; }

printf 'Authorization: Bearer %s\n' "$ADMIN_KEY" >"$OUT/gateway/admin.header"
chmod 600 "$OUT/gateway/admin.header"
admin() { # admin METHOD PATH [JSON]
    curl -sSf -X "$1" "http://$HOST:$PORT_HTTP$2" -H "@$OUT/gateway/admin.header" \
        -H 'Content-Type: application/json' ${3:+-d "$3"}
}
log "starting the gateway ($GATEWAY_JAR, JVM options: ${GATEWAY_JAVA_OPTS:-none})"
start_gateway gateway "$GATEWAY_JAVA_OPTS"
KEY=$(admin POST /v1/keys '{"name": "bench", "scopes": ["invoke_function"]}' | jq -r .value)
FUNCTION=$(admin POST /v2/nvcf/functions '{"name": "bench-echo", "inferenceProtocol": "GRPC"}')
FID=$(jq -r .function.id <<<"$FUNCTION")
VID=$(jq -r .function.versionId <<<"$FUNCTION")
admin POST "/v2/nvcf/deployments/functions/$FID/versions/$VID" \
    "{\"endpoints\": [\"$HOST:$PORT_WORKER\"], \"maxRequestConcurrency\": 0}" >/dev/null
if ((HTTP_CASES)); then
    # The HTTP route's function: called at its pexec path, forwarded to the worker's /echo, HTTP health checks.
    FUNCTION=$(admin POST /v2/nvcf/functions '{"name": "bench-http-echo", "inferenceProtocol": "HTTP",
        "inferenceUrl": "/echo", "health": {"protocol": "HTTP", "uri": "/health"}}')
    HTTP_FID=$(jq -r .function.id <<<"$FUNCTION")
    admin POST "/v2/nvcf/deployments/functions/$HTTP_FID/versions/$(jq -r .function.versionId <<<"$FUNCTION")" \
        "{\"endpoints\": [\"$HOST:$PORT_WORKER_HTTP\"], \"maxRequestConcurrency\": 0}" >/dev/null
fi

# ---- targets: URL, extra headers, the proxy's processes (whose CPU and memory are measured) ----
if [[ -n $LINK_DELAY_MS ]]; then
    start link-direct java -cp "$CP" DelayLink "${LINK_PORT[direct]}" "$PORT_WORKER" "$LINK_DELAY_MS"
    start link-nginx java -cp "$CP" DelayLink "${LINK_PORT[nginx]}" "$PORT_NGINX" "$LINK_DELAY_MS"
    start link-gateway java -cp "$CP" DelayLink "${LINK_PORT[gateway]}" "$PORT_GRPC" "$LINK_DELAY_MS"
    for via in direct nginx gateway; do
        wait_for 30 "delay link to $via" bash -c "exec 3<>/dev/tcp/$HOST/${LINK_PORT[$via]}"
    done
fi
URL= HDRS=() PIDS=()
KIND=grpc # the kind of load the next target is for: grpc, or http (the HTTP route and nginx proxy_pass)
target() {
    local port
    if [[ $KIND == http ]]; then
        case $1 in
            direct) URL=http://$HOST:$PORT_WORKER_HTTP/echo HDRS=() PIDS=() ;;
            nginx) URL=http://$HOST:$PORT_NGINX_HTTP/echo HDRS=()
                read -ra PIDS <<<"$(nginx_pids)" ;;
            gateway) URL=http://$HOST:$PORT_HTTP/v2/nvcf/pexec/functions/$HTTP_FID PIDS=("$GATEWAY_PID")
                HDRS=(-H "authorization: Bearer $KEY") ;;
        esac
        return
    fi
    case $1 in
        direct) port=$PORT_WORKER HDRS=() PIDS=() ;;
        nginx) port=$PORT_NGINX HDRS=()
            read -ra PIDS <<<"$(nginx_pids)" ;;
        gateway) port=$PORT_GRPC PIDS=("$GATEWAY_PID")
            HDRS=(-H "authorization: Bearer $KEY" -H "function-id: $FID") ;;
        tcp-relay) port=$PORT_TCP_RELAY PIDS=("$TCP_RELAY_PID") HDRS=() ;;
        h2-relay) port=$PORT_H2_RELAY PIDS=("$H2_RELAY_PID") HDRS=() ;;
    esac
    [[ -z $LINK_DELAY_MS ]] || port=${LINK_PORT[$1]}
    URL=http://$HOST:$port$METHOD
}

# A gRPC call with nghttp, showing the response trailers: the status is read, not assumed.
spot_check() { # spot_check TARGET → the grpc-status line(s)
    target "$1"
    timeout 30 nghttp -v -d "$OUT/small.bin" -H 'content-type: application/grpc' -H 'te: trailers' "${HDRS[@]}" \
        "$URL" 2>&1 | grep -a -o 'grpc-status: [0-9]*' || echo "no grpc-status"
}
gateway_serves() { [[ $(spot_check gateway) == "grpc-status: 0" ]]; }
wait_for 60 "gateway route to the echo worker" gateway_serves
http_serves() {
    curl -sf -o /dev/null -H "authorization: Bearer $KEY" -d ok "http://$HOST:$PORT_HTTP/v2/nvcf/pexec/functions/$HTTP_FID"
}
((HTTP_CASES == 0)) || wait_for 60 "gateway HTTP route to the echo worker" http_serves

# ---- measurements ----
cpu_ticks() { # cpu_ticks PID... → "utime stime" in clock ticks, summed over the processes
    local p
    for p in "$@"; do sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null || true; done |
        awk '{u += $12; s += $13} END {printf "%d %d\n", u, s}'
}
rss_kib() { # rss_kib PID... → resident set in KiB, summed
    local p
    for p in "$@"; do awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || true; done |
        awk '{s += $1} END {print s + 0}'
}
gateway_codes() { # → "<calls ended OK> <calls ended otherwise>" from the gateway's call metrics (gRPC and HTTP)
    curl -sf "http://$HOST:$PORT_MANAGEMENT/actuator/prometheus" |
        awk '/^gateway_grpc_calls_seconds_count\{/ {if ($0 ~ /code="OK"/) ok += $NF; else bad += $NF}
             /^gateway_http_requests_seconds_count\{/ {if ($0 ~ /status="200"/) ok += $NF; else bad += $NF}
             END {printf "%d %d\n", ok, bad}'
}
percentile() { # percentile Q FILE-of-sorted-numbers → nearest rank
    awk -v q="$1" '{a[NR] = $1} END {if (NR == 0) {print "-"; exit} i = int(q * NR + 0.999999); if (i < 1) i = 1; print a[i]}' "$2"
}

# After a warm-up that ended by time, calls still in flight end late (CANCELLED): wait until the counts stand still.
settle() {
    local last= now
    for _ in $(seq 50); do
        now="$(worker_ok) $(gateway_codes)"
        [[ $now == "$last" ]] && return 0
        last=$now
        sleep 0.3
    done
}

ROWS=()
declare -A NGINX_RATE NGINX_CPU
BEFORE_TICKS= BEFORE_WORKER= BEFORE_CODES=
snapshot() {
    # The metrics scrape first: its CPU is not the calls' (it counted in the one-call cases' CPU before).
    BEFORE_CODES=$(gateway_codes)
    BEFORE_WORKER=$(worker_ok)
    BEFORE_TICKS=$(cpu_ticks "${PIDS[@]}")
}
# account VIA CALLS → sets CPU_MS CPU_SPLIT (per call), WORKER_DELTA, GW_OK, GW_BAD
account() {
    local via=$1 calls=$2 u0 s0 u1 s1 ok0 bad0 ok1 bad1
    read -r u0 s0 <<<"$BEFORE_TICKS"
    read -r u1 s1 <<<"$(cpu_ticks "${PIDS[@]}")"
    WORKER_DELTA=$(($(worker_ok) - BEFORE_WORKER))
    read -r ok0 bad0 <<<"$BEFORE_CODES"
    read -r ok1 bad1 <<<"$(gateway_codes)"
    GW_OK=$((ok1 - ok0)) GW_BAD=$((bad1 - bad0))
    if [[ $via == direct ]] || ((calls == 0)); then
        CPU_MS=- CPU_SPLIT=-
    else
        CPU_MS=$(awk -v t=$((u1 - u0 + s1 - s0)) -v hz="$TICK_HZ" -v n="$calls" 'BEGIN {printf "%.3f", t * 1000 / hz / n}')
        CPU_SPLIT=$(awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v hz="$TICK_HZ" -v n="$calls" \
            'BEGIN {printf "%.3f / %.3f", u * 1000 / hz / n, s * 1000 / hz / n}')
    fi
}
# check VIA EXPECTED_CALLS CLIENT_OK → CHECK: "ok" or what disagreed. The worker counts the calls it answered
# with grpc-status 0; the gateway counts calls by the code it saw; the client counts its successes.
check() {
    local via=$1 expected=$2 client_ok=$3 problems=()
    ((client_ok == expected)) || problems+=("client ok $client_ok")
    ((WORKER_DELTA == expected)) || problems+=("worker answered $WORKER_DELTA")
    if [[ $via == gateway ]]; then
        ((GW_OK == expected)) || problems+=("gateway OK $GW_OK")
        ((GW_BAD == 0)) || problems+=("gateway non-OK $GW_BAD")
    fi
    if ((${#problems[@]} == 0)); then CHECK="ok: $expected/$expected"; else CHECK="**ERRORS** of $expected: ${problems[*]}"; fi
}
# compare CASE VIA RATE CPU_MS → VS: the gateway's rate and CPU per call relative to nginx's in the same case
compare() {
    local name=$1 via=$2 rate=$3 cpu=$4
    VS=-
    case $via in
        nginx) NGINX_RATE[$name]=$rate NGINX_CPU[$name]=$cpu ;;
        gateway | tcp-relay | h2-relay) [[ -z ${NGINX_RATE[$name]:-} ]] ||
            VS=$(awk -v r="$rate" -v nr="${NGINX_RATE[$name]}" -v c="$cpu" -v nc="${NGINX_CPU[$name]}" 'BEGIN {
                out = (nr > 0 ? sprintf("%.2f× rate", r / nr) : "-")
                if (c != "-" && nc != "-" && nc > 0) out = out sprintf(", %.2f× CPU", c / nc)
                print out}') ;;
    esac
}
row() { ROWS+=("| $* |"); printf '| %s |\n' "$*" >&2; }

# JFR's "profile" settings, with each thread's CPU every second (not every 10 s) and Java samples every 2 ms.
jfr_settings() {
    sed -e '/name="jdk.ThreadCPULoad"/,/<\/event>/ s|<setting name="period">[^<]*</setting>|<setting name="period">1 s</setting>|' \
        -e '/name="jdk.ExecutionSample"/,/<\/event>/ s|<setting name="period"[^>]*>[^<]*</setting>|<setting name="period">2 ms</setting>|' \
        "$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")/lib/jfr/profile.jfc" >"$OUT/bench.jfc"
}
async_profiler() { # → the path of libasyncProfiler.so, fetched from Maven Central once
    local dir=$HOME/.cache/fgw-bench/async-profiler-$ASYNC_PROFILER_VERSION
    if [[ ! -f $dir/linux-x64/libasyncProfiler.so ]]; then
        mkdir -p "$dir"
        curl -sfL -o "$dir/ap.jar" "https://repo1.maven.org/maven2/tools/profiler/async-profiler/$ASYNC_PROFILER_VERSION/async-profiler-$ASYNC_PROFILER_VERSION.jar"
        (cd "$dir" && unzip -q -o ap.jar 'linux-x64/*')
    fi
    echo "$dir/linux-x64/libasyncProfiler.so"
}
profile_start() {
    if [[ $PROFILE == async || $PROFILE == alloc ]]; then
        local event=cpu,interval=1ms
        [[ $PROFILE == alloc ]] && event=alloc
        # jcmd would split the options at "=": quoted, they reach the agent as one string.
        jcmd "$GATEWAY_PID" JVMTI.agent_load "$(async_profiler)" "\"start,event=$event\"" >/dev/null
        return
    fi
    [[ -f $OUT/bench.jfc ]] || jfr_settings
    jcmd "$GATEWAY_PID" JFR.start name=bench settings="$OUT/bench.jfc" filename="$OUT/jfr-$1.jfr" >/dev/null
}
thread_ticks() { # thread_ticks PID → "tid<TAB>name<TAB>utime<TAB>stime" for each of its threads
    local t
    for t in /proc/"$1"/task/*; do
        awk '{ i = index($0, " ("); j = index($0, ") "); name = substr($0, i + 2, j - i - 2)
               split(substr($0, j + 2), f, " "); printf "%s\t%s\t%d\t%d\n", $1, name, f[12], f[13] }' "$t/stat" 2>/dev/null || true
    done
}
async_self() { # async_self FILE.collapsed → the 40 frames with most self samples, and their share
    awk '{n = $NF; $NF = ""; sub(/ $/, ""); k = split($0, f, ";"); self[f[k]] += n; total += n}
         END {for (x in self) printf "%d\t%.1f%%\t%s\n", self[x], 100 * self[x] / total, x}' "$1" |
        sort -rn | awk -F'\t' 'BEGIN {print "| samples | share | frame |"; print "|---|---|---|"}
                                NR <= 40 {gsub(/\|/, "/", $3); printf "| %s | %s | `%s` |\n", $1, $2, $3}'
}
profile_stop() { # profile_stop CASE CALLS
    local name=$1 calls=$2
    if [[ $PROFILE == async || $PROFILE == alloc ]]; then
        local counts=""
        [[ $PROFILE == alloc ]] && counts=",total"
        jcmd "$GATEWAY_PID" JVMTI.agent_load "$(async_profiler)" "\"stop,collapsed$counts,file=$OUT/async-$name.collapsed\"" >/dev/null
    else
        jcmd "$GATEWAY_PID" JFR.stop name=bench >/dev/null
    fi
    {
        echo "## CPU by gateway thread during the measured run of $name ($calls calls, no JFR; /proc/PID/task/*/stat)"
        echo
        echo "| threads (digits folded to #) | count | user ms/call | system ms/call |"
        echo "|---|---|---|---|"
        awk -F'\t' -v hz="$TICK_HZ" -v n="$calls" '
            FNR == NR {u[$1] = $3; s[$1] = $4; next}
            {g = $2; gsub(/[0-9]+/, "#", g); du = $3 - u[$1]; ds = $4 - s[$1]
             if (du + ds > 0) {U[g] += du; S[g] += ds; C[g]++}}
            END {for (g in U) printf "| %s | %d | %.3f | %.3f |\n", g, C[g], U[g] * 1000 / hz / n, S[g] * 1000 / hz / n}' \
            "$OUT/threads-$name.before" "$OUT/threads-$name.after" | sort -t'|' -k4 -rn
        echo
        if [[ $PROFILE == alloc ]]; then
            echo "async-profiler allocation samples (bytes) of a second run of the same load; collapsed stacks:"
            echo "$OUT/async-$name.collapsed. Allocating frames by bytes:"
            echo
            async_self "$OUT/async-$name.collapsed"
        elif [[ $PROFILE == async ]]; then
            echo "async-profiler CPU samples (1 ms) of a second run of the same load; collapsed stacks:"
            echo "$OUT/async-$name.collapsed (for flame graphs). Frames by self samples:"
            echo
            async_self "$OUT/async-$name.collapsed"
        else
            echo "The JFR recording below is of a second run of the same load (starting JFR costs JIT recompilation)."
            echo
            java -cp "$CP" JfrSummary "$OUT/jfr-$name.jfr"
        fi
    } >"$OUT/profile-$name.md"
    log "profile of the gateway in $name: $OUT/profile-$name.md"
}

h2load_case() { # h2load_case NAME LABEL FRAME CLIENTS STREAMS VIA; an http-* case is HTTP/1.1 (a POST of FRAME)
    local name=$1 label=$2 frame=$3 c=$4 m=$5 via=$6
    KIND=grpc
    [[ $name == http-* ]] && KIND=http
    target "$via"
    local common=(-c "$c" -m "$m" -d "$frame" -H 'content-type: application/grpc' -H 'te: trailers' "${HDRS[@]}")
    [[ $KIND == grpc ]] || common=(--h1 -c "$c" -m "$m" -d "$frame" -H 'content-type: application/octet-stream'
        "${HDRS[@]}")
    # The warm-up's rate sizes the measured run (a fixed count, so every call's status can be accounted for).
    local warm rate n
    warm=$(timeout $((WARMUP + 120)) h2load -D "$WARMUP" "${common[@]}" "$URL" 2>&1 || true)
    rate=$(sed -n 's/^finished in [0-9.]*[a-z]*, \([0-9.]*\) req\/s.*/\1/p' <<<"$warm")
    n=$(awk -v r="${rate:-0}" -v d="$DURATION" -v min=$((c * m)) 'BEGIN {n = int(r * d); print (n < min ? min : n)}')
    local slug="$name-$via" result
    settle
    snapshot
    local profiled=false
    [[ $PROFILE != 0 && $via == gateway && " $PROFILE_CASES " == *" $name "* ]] && profiled=true
    if $profiled; then thread_ticks "$GATEWAY_PID" >"$OUT/threads-$name.before"; fi
    timeout $((DURATION * 10 + 120)) h2load -n "$n" "${common[@]}" --log-file="$OUT/h2load-$slug.tsv" "$URL" \
        >"$OUT/h2load-$slug.txt" 2>&1 || true
    if $profiled; then thread_ticks "$GATEWAY_PID" >"$OUT/threads-$name.after"; fi
    account "$via" "$n"
    result=$(cat "$OUT/h2load-$slug.txt")
    local req_s succeeded
    req_s=$(sed -n 's/^finished in [0-9.]*[a-z]*, \([0-9.]*\) req\/s.*/\1/p' <<<"$result")
    succeeded=$(sed -n 's/^requests: .* \([0-9]*\) succeeded.*/\1/p' <<<"$result")
    # h2load's "succeeded" is any answer; over HTTP only a 2xx is the echo.
    [[ $KIND == grpc ]] || succeeded=$(sed -n 's/^status codes: \([0-9]*\) 2xx.*/\1/p' <<<"$result")
    awk '{print $3 / 1000}' "$OUT/h2load-$slug.tsv" 2>/dev/null | sort -n >"$OUT/latency-$slug.txt" || true
    check "$via" "$n" "${succeeded:-0}"
    compare "$name" "$via" "${req_s:-0}" "$CPU_MS"
    row "$label | $via | $n | ${req_s:-?} req/s | $(percentile 0.50 "$OUT/latency-$slug.txt") |" \
        "$(percentile 0.99 "$OUT/latency-$slug.txt") | $CPU_MS | $CPU_SPLIT | - | $VS | $CHECK"
    if $profiled; then
        settle
        profile_start "$name"
        timeout $((DURATION * 10 + 120)) h2load -n "$n" "${common[@]}" "$URL" >"$OUT/h2load-$slug-profiled.txt" 2>&1 || true
        profile_stop "$name" "$n"
    fi
}

client_env() { # client_env VIA → env assignments for BenchClient
    if [[ $1 == gateway ]]; then echo "BENCH_KEY=$KEY BENCH_FUNCTION_ID=$FID"; fi
    if [[ ${ECHO:-stream} != stream ]]; then echo "BENCH_ECHO=$ECHO"; fi
}
echo_headers() { # the request header that asks the worker to answer after the whole request (ECHO=after-end)
    if [[ ${ECHO:-stream} != stream ]]; then echo "bench-echo: $ECHO"; fi
}
hostport() { sed 's|^http://\([^/]*\)/.*|\1|' <<<"$URL"; }

bidi_case() { # bidi_case VIA: one bidi stream, 64 messages of 100 B in flight (after a warm-up stream)
    local via=$1 out status messages rate p50 p99 usr sys
    target "$via"
    settle
    snapshot
    # The client measures the proxy's CPU itself, around the measured stream only (BENCH_PIDS).
    # shellcheck disable=SC2046 # env assignments are words
    out=$(env $(client_env "$via") BENCH_PIDS="${PIDS[*]}" timeout $((WARMUP + DURATION + 180)) \
        java -cp "$CP" BenchClient bidi "$(hostport)" "$WARMUP" "$DURATION" 64 100 2>"$OUT/bidi-$via.err" || true)
    echo "$out" >"$OUT/bidi-$via.txt"
    field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$out"; }
    status=$(field status) messages=$(field messages) rate=$(field rate) p50=$(field p50_ms) p99=$(field p99_ms)
    usr=$(field usr_ticks) sys=$(field sys_ticks)
    account "$via" "${messages:-0}"  # for the call counts; the CPU comes from the client
    if [[ $via != direct && -n $usr && ${messages:-0} -gt 0 ]]; then
        CPU_MS=$(awk -v t=$((usr + sys)) -v hz="$TICK_HZ" -v n="$messages" 'BEGIN {printf "%.4f", t * 1000 / hz / n}')
        CPU_SPLIT=$(awk -v u="$usr" -v s="$sys" -v hz="$TICK_HZ" -v n="$messages" \
            'BEGIN {printf "%.4f / %.4f", u * 1000 / hz / n, s * 1000 / hz / n}')
    fi
    check "$via" 2 "$([[ $status == OK ]] && echo 2 || echo 0)"
    [[ $status == OK ]] || CHECK="**ERRORS**: $(field detail) $CHECK"
    compare bidi "$via" "${rate:-0}" "$CPU_MS"
    row "bidi stream, 64 × 100 B in flight | $via | ${messages:-0} msgs | ${rate:-?} msg/s | ${p50:--} | ${p99:--} |" \
        "$CPU_MS | $CPU_SPLIT | - | $VS | $CHECK"
}

sample_peak() { # sample_peak FILE PID...: the highest summed RSS seen, every 0.1 s, until killed
    local file=$1 peak=0 r
    shift
    while :; do
        r=$(rss_kib "$@")
        if ((r > peak)); then peak=$r && echo "$peak" >"$file"; fi
        sleep 0.1
    done
}
# The clients of the memory cases; each prints "status=OK|FAILED seconds=S[ detail=...]" for its one call.
java_client() { # java_client MODE ARGS...: BenchClient (grpc-java), which checks every echoed byte
    # shellcheck disable=SC2046 # env assignments are words
    env $(client_env "$VIA") timeout 600 java -Xmx3g -XX:MaxDirectMemorySize=3g -cp "$CP" BenchClient "$1" \
        "$(hostport)" "${@:2}"
}
grpcio_client() { # grpcio_client BYTES: big_call.py (Python grpcio, gRPC's C core), which compares the whole echo
    local metadata=()
    [[ $VIA == gateway ]] && metadata=("authorization: Bearer $KEY" "function-id: $FID")
    [[ -n $(echo_headers) ]] && metadata+=("$(echo_headers)")
    timeout 600 /usr/bin/python3 "$HERE/big_call.py" "$(hostport)" "$1" "${metadata[@]}"
}
h2load_client() { # h2load_client FILE: one call with FILE (one framed message) as its request; the echo is counted
    local out seconds succeeded echo=()
    [[ -n $(echo_headers) ]] && echo=(-H "$(echo_headers)")
    out=$(timeout 600 h2load -n 1 -c 1 -m 1 -d "$1" -H 'content-type: application/grpc' -H 'te: trailers' \
        "${HDRS[@]}" "${echo[@]}" "$URL" 2>&1 || true)
    seconds=$(sed -n 's/^finished in \([0-9.]*\)\(m*s\),.*/\1 \2/p' <<<"$out" |
        awk '{printf "%.3f", $2 == "ms" ? $1 / 1000 : $1}')
    succeeded=$(sed -n 's/^requests: .* \([0-9]*\) succeeded.*/\1/p' <<<"$out")
    echo "status=$([[ $succeeded == 1 ]] && echo OK || echo FAILED) seconds=${seconds:-?}"
}
huge_frame() { # huge_frame FILE BYTES: one gRPC message of BYTES zero bytes (< 4 GiB), with its 5-byte prefix
    local n=$2
    # shellcheck disable=SC2059 # the format is the four length bytes, built here
    printf "\\x00$(printf '\\x%02x' $((n >> 24 & 255)) $((n >> 16 & 255)) $((n >> 8 & 255)) $((n & 255)))" >"$1"
    head -c "$n" /dev/zero >>"$1"
}
memory_case() { # memory_case LABEL SLUG "CLIENT ARGS" VIA: one call moving a lot of bytes, with time and peak RSS
    local label=$1 slug=$2-$4 client=$3 out status seconds before peak detail
    VIA=$4
    target "$VIA"
    snapshot
    before=$(rss_kib "${PIDS[@]}")
    echo "$before" >"$OUT/peak-$slug.txt"
    if ((${#PIDS[@]} > 0)); then
        sample_peak "$OUT/peak-$slug.txt" "${PIDS[@]}" &
        SAMPLER=$!
    fi
    # shellcheck disable=SC2086 # the client and its arguments are words
    out=$($client 2>"$OUT/$slug.err" || true)
    [[ -n $SAMPLER ]] && { kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null || true; SAMPLER=; }
    echo "$out" >"$OUT/$slug.txt"
    peak=$(cat "$OUT/peak-$slug.txt")
    status=$(sed -n 's/.*status=\([A-Z]*\).*/\1/p' <<<"$out")
    seconds=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$out")
    detail=$(sed -n 's/.*detail=\(.*\)/\1/p' <<<"$out" | cut -c1-120)
    account "$VIA" 1
    check "$VIA" 1 "$([[ $status == OK ]] && echo 1 || echo 0)"
    [[ $status == OK ]] || CHECK="**FAILED** ${detail:-no answer}; $CHECK"
    local memory=-
    ((${#PIDS[@]} > 0)) && memory="$((peak / 1024)) (+$(((peak - before) / 1024)))"
    row "$label | $VIA | 1 | ${seconds:-?} s | - | - | $CPU_MS | $CPU_SPLIT | $memory | - | $CHECK"
}

# ---- the run ----
if [[ ${WAIT_IDLE:-0} == 1 ]]; then
    log "waiting (at most 10 min) for the 1-minute load average to fall below 1"
    for _ in $(seq 120); do awk '{exit !($1 < 1)}' /proc/loadavg && break; sleep 5; done
fi
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
# The JIT compiles the gateway's call path during its first minute of load (a profile showed the C2 compiler
# threads still busy after 40 s): warm both proxies before any case, with sequential calls, many streams and
# large messages (1/6, 1/2 and 1/3 of JIT_WARMUP).
# The gateway is scraped every 10 s during its warm-up, as Prometheus scrapes it in production: the scrape's HTTP
# server runs some of the same Netty methods with other classes. Without it, the first scrape before a case made the
# JIT drop its code of those methods and compile them again during the case (~0.25 s of C2 in the one 640 MiB call,
# bench/RESULTS.md, session 6). Scraped every second, those methods' profiles would hold more of the scrape's
# classes than a production gateway's (4 MiB 1x4 CPU 1.09-1.10x nginx's against 0.97x without, two rounds each).
jit_warmup() { # jit_warmup VIA
    local load c m body seconds
    target "$1"
    if [[ $1 == gateway ]]; then
        (while :; do gateway_codes >/dev/null; sleep 10; done) &
        SCRAPER=$!
    fi
    for load in "1 1 small $((JIT_WARMUP / 6))" "4 16 small $((JIT_WARMUP / 2))" "1 4 big $((JIT_WARMUP / 3))"; do
        read -r c m body seconds <<<"$load"
        [[ $1 == h2-relay && $body == big ]] && continue # it has no flow control: small calls only
        timeout $((seconds + 60)) h2load -D "$((seconds > 0 ? seconds : 1))" -c "$c" -m "$m" -d "$OUT/$body.bin" \
            -H 'content-type: application/grpc' -H 'te: trailers' "${HDRS[@]}" "$URL" >/dev/null 2>&1 || true
    done
    if ((HTTP_CASES)) && [[ $1 == nginx || $1 == gateway ]]; then
        KIND=http
        target "$1"
        timeout $((JIT_WARMUP + 60)) h2load --h1 -D "$((JIT_WARMUP > 0 ? JIT_WARMUP : 1))" -c 4 -m 1 \
            -d "$OUT/small.bin" -H 'content-type: application/octet-stream' "${HDRS[@]}" "$URL" >/dev/null 2>&1 || true
        KIND=grpc
    fi
    if [[ -n $SCRAPER ]]; then kill "$SCRAPER" 2>/dev/null; wait "$SCRAPER" 2>/dev/null || true; SCRAPER=; fi
}
for via in nginx gateway "${FLOORS[@]}"; do jit_warmup "$via"; done
declare -A SPOT
for via in direct nginx gateway; do
    SPOT[$via]=$(spot_check "$via")
    log "nghttp spot check through $via: ${SPOT[$via]}"
done
has_case() { [[ " $CASES " == *" $1 "* ]]; }
each() { local via; for via in direct nginx gateway; do "$@" "$via"; done; }
# The unary cases, with the floors (FLOOR=1) after the gateway: H2Relay has no flow control, so 100 B calls only.
each_small() { local via; for via in direct nginx gateway "${FLOORS[@]}"; do "$@" "$via"; done; }
each_big() { local via; for via in direct nginx gateway ${FLOORS[@]:+tcp-relay}; do "$@" "$via"; done; }
has_case small-1x1 && each_small h2load_case small-1x1 "100 B unary, 1 conn × 1 stream" "$OUT/small.bin" 1 1
has_case small-1x64 && each_small h2load_case small-1x64 "100 B unary, 1 conn × 64 streams" "$OUT/small.bin" 1 64
has_case small-64x1 && each_small h2load_case small-64x1 "100 B unary, 64 conns × 1 stream" "$OUT/small.bin" 64 1
has_case big-1x1 && each_big h2load_case big-1x1 "4 MiB unary, 1 conn × 1 stream" "$OUT/big.bin" 1 1
has_case big-1x4 && each_big h2load_case big-1x4 "4 MiB unary, 1 conn × 4 streams" "$OUT/big.bin" 1 4
has_case http-1x1 && each h2load_case http-1x1 "HTTP/1.1 POST 100 B, 1 conn" "$OUT/small.bin" 1 1
has_case http-64x1 && each h2load_case http-64x1 "HTTP/1.1 POST 100 B, 64 conns" "$OUT/small.bin" 64 1
KIND=grpc # the cases below are gRPC
has_case bidi && each bidi_case
if has_case huge-msg || [[ $HUGE == 1 ]]; then
    if [[ $GATEWAY_BIG_JAVA_OPTS != "$GATEWAY_JAVA_OPTS" ]]; then
        log "restarting the gateway with JVM options: $GATEWAY_BIG_JAVA_OPTS"
        stop_gateway
        start_gateway gateway-big "$GATEWAY_BIG_JAVA_OPTS"
        wait_for 60 "gateway route to the echo worker" gateway_serves
        # A new JVM: warmed as the first one was, or its JIT compiling would be counted as the large calls' CPU.
        jit_warmup gateway
    fi
    # The large calls take paths the h2load warm-up does not (grpc-java's client, messages of hundreds of MiB):
    # one smaller call of each kind through each proxy first, as every other case has its warm-up.
    for VIA in nginx gateway; do
        target "$VIA"
        java_client big $((64 << 20)) >/dev/null 2>&1 || true
        java_client stream $((512 << 20)) $((4 << 20)) >/dev/null 2>&1 || true
    done
    for _ in $(seq "$BIG_REPEAT"); do
        if has_case huge-msg; then
            for ECHO in $BIG_ECHO; do
                # "stream": the worker echoes each DATA frame as it arrives, so upload and download overlap;
                # "after-end": it answers after the whole request, as a gRPC server answers a unary call.
                label="one $BIG_MIB MiB message each way" slug=big
                [[ $ECHO == stream ]] || label="$label, worker answers after the request" slug=big-$ECHO
                each memory_case "$label" "$slug" "java_client big $((BIG_MIB << 20))"
                each memory_case "$label, grpcio client" "$slug-grpcio" "grpcio_client $((BIG_MIB << 20))"
                # The same call from h2load, a client that keeps up with any proxy (see bench/README.md): one
                # framed message of zeros (the proxies do not look at the bytes), echoed by the worker, discarded.
                huge_frame "$OUT/huge.bin" "$((BIG_MIB << 20))"
                each memory_case "$label, h2load client" "$slug-h2load" "h2load_client $OUT/huge.bin"
                rm -f "$OUT/huge.bin"
            done
            ECHO=stream
        fi
        if [[ $HUGE == 1 ]]; then
            each memory_case "4 GiB streamed each way, 4 MiB messages" stream \
                "java_client stream $((4 << 30)) $((4 << 20))"
        fi
    done
fi

# ---- the table ----
medians() { # the one-call rows (throughput "N s"): per case and path, the median time and CPU of the rounds, and
    # in how many rounds the gateway beat the nginx call just before it
    printf '%s\n' "${ROWS[@]}" | awk -F' *[|] *' '
        $5 ~ / s$/ && $4 == 1 {
            key = $2; if (!(key in seen)) { seen[key] = 1; order[++n] = key }
            t[key, $3] = t[key, $3] " " ($5 + 0); c[key, $3] = c[key, $3] " " $8
            if ($3 == "nginx") { nt[key] = $5 + 0; nc[key] = $8 + 0 }
            if ($3 == "gateway" && key in nt) {
                rounds[key]++; faster[key] += ($5 + 0 < nt[key]); cheaper[key] += ($8 + 0 <= nc[key])
            }
        }
        function median(list,   v, k, i, j, x) {
            k = split(list, v, " ")
            for (i = 2; i <= k; i++) { x = v[i]; for (j = i - 1; j >= 1 && v[j] + 0 > x + 0; j--) v[j + 1] = v[j]; v[j + 1] = x }
            if (k == 0 || v[1] == "-") return "-"
            return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
        }
        function shown(v, format) { return v == "-" ? v : sprintf(format, v) }
        END {
            for (i = 1; i <= n; i++) {
                key = order[i]; g = median(t[key, "gateway"]); x = median(t[key, "nginx"])
                printf "| %s | %s | %s | %s | %s | %s | %s | %d of %d | %d of %d |\n", key,
                    shown(median(t[key, "direct"]), "%.3f"), shown(x, "%.3f"), shown(g, "%.3f"),
                    (x > 0 ? sprintf("%.2f× the time", g / x) : "-"),
                    shown(median(c[key, "nginx"]), "%.0f"), shown(median(c[key, "gateway"]), "%.0f"),
                    faster[key], rounds[key], cheaper[key], rounds[key]
            }
        }'
}
{
    echo "Run $(date -u +'%Y-%m-%d %H:%M UTC') on $(nproc) cores; ${JIT_WARMUP} s JIT warm-up per proxy, then ${WARMUP} s warm-up + ~${DURATION} s per case;"
    echo "nginx $(nginx -v 2>&1 | sed 's|.*/||'): 2 worker processes, grpc_pass, upstream keepalive, access log off;"
    echo "gateway: ${GATEWAY_JAR##*/} on $("$GATEWAY_JAVA" -version 2>&1 | head -1), JVM options \"${GATEWAY_JAVA_OPTS:-none}\" (large message: \"$GATEWAY_BIG_JAVA_OPTS\"), access log on."
    echo "nghttp spot checks: direct ${SPOT[direct]}; nginx ${SPOT[nginx]}; gateway ${SPOT[gateway]}."
    [[ -z $LINK_DELAY_MS ]] ||
        echo "Clients through a delay link of $LINK_DELAY_MS ms each way (round trip $(awk -v d="$LINK_DELAY_MS" 'BEGIN {print 2 * d}') ms) to every target; proxies to the worker: loopback."
    echo "Load average (1/5/15 min) before the cases: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo
    echo "| case | via | calls | throughput | p50 ms | p99 ms | CPU ms/call | CPU usr / sys ms/call | peak RSS MiB (growth) | gateway vs nginx | status check |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
    if ((BIG_REPEAT > 1)); then
        echo
        echo "Medians of the $BIG_REPEAT rounds of each one-call case (one such call varies by ±30 %):"
        echo
        echo "| case | direct s | nginx s | gateway s | gateway vs nginx | nginx CPU ms | gateway CPU ms | gateway faster | gateway CPU ≤ nginx's |"
        echo "|---|---|---|---|---|---|---|---|---|"
        medians
    fi
} | tee "$OUT/table.md"
if grep -q OutOfMemoryError "$OUT"/gateway*.log; then
    log "the gateway logged OutOfMemoryError: $(grep -c OutOfMemoryError "$OUT"/gateway*.log | tr '\n' ' ')"
fi
log "logs, h2load output and profiles: $OUT"
