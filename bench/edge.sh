#!/usr/bin/env bash
# bench/edge.sh: tools/call echo through the managed nginx edge versus straight to the app, in one
# run. `make bench-edge` calls it; see docs/BENCHMARKS.md ("Edge: tools/call through nginx vs direct").
#
# One `portico up` per round (the app on a loopback port plus its supervised nginx), then wrk on
# 127.0.0.1 against three targets of that same process, interleaved:
#   direct  http://127.0.0.1:<app port>/mcp     the app, no nginx
#   http    http://127.0.0.1:<HTTP port>/mcp    nginx plain HTTP (edge.mcp_over_http: true)
#   https   https://127.0.0.1:<HTTPS port>/mcp  nginx TLS 1.3 (self-signed dev cert), HTTP/1.1
#                                               keep-alive from wrk (wrk does not speak HTTP/2)
# at each of CONNS connections, REPEAT rounds (the target order rotates per round); the report
# shows the run with the median req/s and the median of the per-round ratios nginx ÷ direct.
#
# CPU placement (PINS, each mode a full set of rounds):
#   split   `portico up` (app and nginx master + workers, which inherit the mask) on CPU 0, wrk
#           on CPU 1: the server side has one core either way, so everything nginx spends comes
#           out of the app's core. Same placement as bench/run.sh; the strict figure.
#   shared  nothing pinned: app, nginx workers and wrk share both cores as the scheduler likes,
#           what a 2-core box running the whole stack looks like.
#
# Besides wrk's req/s, p50, p99 it records per run: CPU time of the app (the `portico up` process)
# and of nginx (master + workers) per request, each core's busy share, the CPU time of everything
# else on the box (user + system time of both cores minus app, nginx and wrk: other work that skews
# a run), TCP connections accepted on the box (/proc/net/snmp PassiveOpens: wrk's own plus the
# upstream connections nginx opened), and from nginx's JSON access log the request count,
# statuses, TLS protocol and upstream timings.
# Writes bench/results/edge-<timestamp>.md (gitignored), raw files in bench/results/edge-<timestamp>/.
#
# Environment (defaults: full run; QUICK=1 for a short smoke run):
#   QUICK=1        short run: DURATION=3 WARMUP=1 REPEAT=1
#   DURATION       seconds per measured wrk run (10)
#   WARMUP         seconds of unrecorded wrk load before each measured run (3)
#   REPEAT         rounds per placement; the table shows the median (3)
#   CONNS          connection counts (16 64)
#   PINS           CPU placements to run, "split shared" (both, default), "split" or "shared"
#   TARGETS        targets to measure ("direct http https")
#   PORTICO_BIN    Portico binary (.build/release/portico; `make bench-edge` builds it)
#   PORT_BASE      first loopback port (18200: HTTPS; +1 plain HTTP; +2 nginx status)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
QUICK=${QUICK:-0}
if [[ $QUICK == 1 ]]; then
    DURATION=${DURATION:-3} WARMUP=${WARMUP:-1} REPEAT=${REPEAT:-1}
else
    DURATION=${DURATION:-10} WARMUP=${WARMUP:-3} REPEAT=${REPEAT:-3}
fi
CONNS=${CONNS:-"16 64"}
PINS=${PINS:-"split shared"}
TARGETS=${TARGETS:-"direct http https"}
PORTICO_BIN=${PORTICO_BIN:-"$ROOT/.build/release/portico"}
PORT_BASE=${PORT_BASE:-18200}
START_DEADLINE=60  # seconds `portico up` may take to print `edge` (it makes a dev certificate first)
STOP_DEADLINE=30   # seconds it may take to drain and stop nginx after SIGTERM

BENCH_TAG=bench-edge
# shellcheck source=bench/lib.sh
source "$BENCH/lib.sh"

# ---------------------------------------------------------------------------------------------
# The stack: `portico up`, stopped with SIGTERM (it stops nginx itself).

UP_PID=""
APP_PORT=""
NGINX_PIDS=()
NGINX_PIDFILE=""
STARTED_PIDS=()

stop_up() {
    [[ -n $UP_PID ]] || return 0
    local pid=$UP_PID deadline=$((SECONDS + STOP_DEADLINE)) master=""
    [[ -f $NGINX_PIDFILE ]] && master=$(cat "$NGINX_PIDFILE" 2>/dev/null || true)
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do
        if ((SECONDS >= deadline)); then kill -KILL "$pid" 2>/dev/null || true; break; fi
        sleep 0.1  # polling interval while it drains
    done
    wait "$pid" 2>/dev/null || true
    # nginx outlives a killed parent (it is its own master): stop the one this run started.
    if [[ -n $master ]] && kill -0 "$master" 2>/dev/null && grep -q nginx "/proc/$master/comm" 2>/dev/null; then
        kill -QUIT "$master" 2>/dev/null || true
    fi
    UP_PID=""
}

cleanup() {
    stop_up
    local pid
    for pid in "${STARTED_PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; fi
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_up NAME: `portico up` with the bench config and the current placement; returns once it
# printed `edge` (nginx serves) and all three targets answer. Sets UP_PID and APP_PORT.
start_up() {
    local name=$1
    local out="$WORK/$name.out" err="$WORK/$name.err"
    local state="$WORK/state-$PIN"
    NGINX_PIDFILE="$state/nginx/logs/nginx.pid"
    : >"$out"
    "${SERVER_PIN[@]}" "$PORTICO_RUN_BIN" up -c "$WORK/portico-edge.yaml" --state-dir "$state" \
        --address 127.0.0.1 --https-port "$PORT_HTTPS" --http-port "$PORT_HTTP" --status-port "$PORT_STATUS" \
        >"$out" 2>"$err" &
    UP_PID=$!
    STARTED_PIDS+=("$UP_PID")
    local deadline=$((SECONDS + START_DEADLINE))
    until grep -q '^edge ' "$out"; do
        kill -0 "$UP_PID" 2>/dev/null || { tail -20 "$err" >&2; die "$name exited before nginx served"; }
        ((SECONDS < deadline)) || { tail -20 "$err" >&2; die "$name did not print 'edge' within ${START_DEADLINE}s"; }
        sleep 0.05  # polling interval of a bounded wait
    done
    APP_PORT=$(sed -n 's|^listening http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$out" | head -1)
    [[ -n $APP_PORT ]] || die "$name: no 'listening http://127.0.0.1:<port>/' line in $out"
    curl -sf --max-time 5 "http://127.0.0.1:$APP_PORT/healthz" >/dev/null || die "$name: app /healthz failed"
    curl -sf --max-time 5 "http://127.0.0.1:$PORT_STATUS/nginx_status" >/dev/null || die "$name: nginx status failed"
    ACCESS_LOG="$state/nginx/logs/portico.access.json"
}

url_of() { # TARGET
    case $1 in
        direct) echo "http://127.0.0.1:$APP_PORT/mcp" ;;
        http) echo "http://127.0.0.1:$PORT_HTTP/mcp" ;;
        https) echo "https://127.0.0.1:$PORT_HTTPS/mcp" ;;
        *) die "unknown target $1" ;;
    esac
}

# cpu_ticks PID...: user + system CPU time of the processes (all threads) in clock ticks; a
# process gone in between counts 0. The text after the last ')' of /proc/PID/stat starts at
# field 3, so utime and stime are its 12th and 13th.
cpu_ticks() {
    local pid total=0 t
    for pid in "$@"; do
        t=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12 + $13}') || t=0
        total=$((total + ${t:-0}))
    done
    echo "$total"
}

nginx_pids() { # sets NGINX_PIDS: master and workers of the running stack
    local master
    NGINX_PIDS=()
    master=$(cat "$NGINX_PIDFILE" 2>/dev/null) || return 0
    mapfile -t NGINX_PIDS < <(echo "$master"; pgrep -P "$master" || true)
}

cpu_times() { # CPU 0 then CPU 1 from /proc/stat: user nice system idle iowait irq softirq steal (16 numbers)
    awk '/^cpu[01] /{printf "%s %s %s %s %s %s %s %s ", $2, $3, $4, $5, $6, $7, $8, $9}' /proc/stat
}

passive_opens() { awk '/^Tcp: [0-9]/{print $7}' /proc/net/snmp; }

# run_cell TARGET CONNS REP: warm-up, then the measured run; appends a `cell` row to results.tsv.
run_cell() {
    local target=$1 conns=$2 rep=$3
    local url out="$WORK/raw/$PIN.$target.c$conns.r$rep.txt"
    url=$(url_of "$target")
    MODE=modern "${CLIENT_PIN[@]}" wrk -t1 -c"$conns" -d"${WARMUP}s" --timeout 5s -s "$BENCH/wrk/call.lua" "$url" \
        >"$out.warmup" 2>&1 || die "wrk warm-up failed for $target (see $out.warmup)"
    : >"$ACCESS_LOG"  # nginx appends (O_APPEND): from here on the log holds the measured run only
    local app0 app1 ng0 ng1 cpu0 cpu1 po0 po1 est=""
    nginx_pids
    app0=$(cpu_ticks "$UP_PID") ng0=$(cpu_ticks "${NGINX_PIDS[@]}") cpu0=$(cpu_times) po0=$(passive_opens)
    # /usr/bin/time records wrk's own CPU time (taskset execs wrk in the same process).
    MODE=modern "${TIME[@]}" -o "$out.time" -f '%U %S' "${CLIENT_PIN[@]}" wrk -t1 -c"$conns" -d"${DURATION}s" --timeout 5s \
        --latency -s "$BENCH/wrk/call.lua" "$url" >"$out" 2>&1 &
    local wrk_pid=$!
    # Halfway through: how many connections the app holds (wrk's, or nginx's upstream pool).
    sleep "$(awk -v d="$DURATION" 'BEGIN{print d/2}')"
    est=$(ss -Htn state established "( sport = :$APP_PORT )" 2>/dev/null | wc -l)
    wait "$wrk_pid" || die "wrk failed for $target (see $out)"
    app1=$(cpu_ticks "$UP_PID") ng1=$(cpu_ticks "${NGINX_PIDS[@]}") cpu1=$(cpu_times) po1=$(passive_opens)
    local logstat="{}"
    [[ $target == direct ]] || logstat=$(python3 "$BENCH/edge_report.py" --logstat "$ACCESS_LOG")
    : >"$ACCESS_LOG"
    local wrk_cpu
    wrk_cpu=$(awk '{printf "%.2f", $1 + $2}' "$out.time" 2>/dev/null) || wrk_cpu=""
    printf 'cell\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$PIN" "$target" "$conns" "$rep" "$out" \
        "$((app1 - app0))" "$((ng1 - ng0))" "$((po1 - po0))" "$cpu0" "$cpu1" "$est" "$wrk_cpu" >>"$RESULTS"
    printf 'logstat\t%s\t%s\t%s\t%s\t%s\n' "$PIN" "$target" "$conns" "$rep" "$logstat" >>"$RESULTS"
    log "  $PIN $target c=$conns: $(grep -E '^RESULT ' "$out" | cut -d' ' -f2-) app_conns=$est"
}

round() { # REP: one fresh stack, every target at every connection count, order rotated per round
    local rep=$1 c t i
    local targets order=()
    read -ra targets <<<"$TARGETS"
    for ((i = 0; i < ${#targets[@]}; i++)); do order+=("${targets[(i + rep - 1) % ${#targets[@]}]}"); done
    log "$PIN round $rep/$REPEAT (order: ${order[*]})"
    start_up "up-$PIN-r$rep"
    if [[ $rep == 1 ]]; then
        nginx_pids
        printf 'meta\tworkers_%s\t%s\n' "$PIN" "$((${#NGINX_PIDS[@]} - 1))" >>"$RESULTS"
        printf 'meta\taffinity_%s\tportico up: %s; wrk: %s\n' "$PIN" \
            "$(taskset -pc "$UP_PID" | sed 's/.*: //')" "${CLIENT_PIN[*]:-unpinned}" >>"$RESULTS"
    fi
    for c in $CONNS; do
        for t in "${order[@]}"; do run_cell "$t" "$c" "$rep"; done
    done
    stop_up
}

# ---------------------------------------------------------------------------------------------

main() {
    [[ -x $PORTICO_BIN ]] || die "no Portico binary at $PORTICO_BIN (run 'make build', or 'make bench-edge')"
    command -v taskset >/dev/null || die "taskset (util-linux) is required"
    command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || die "nginx is required (apt-get install nginx)"
    ensure_wrk
    [[ -x /usr/bin/time ]] || die "/usr/bin/time (package time) is required: it measures wrk's CPU time"
    TIME=(/usr/bin/time)
    local t p
    for t in $TARGETS; do [[ $t == direct || $t == http || $t == https ]] || die "TARGETS: unknown target $t"; done
    for p in $PINS; do [[ $p == split || $p == shared ]] || die "PINS: unknown placement $p"; done
    PORT_HTTPS=$PORT_BASE PORT_HTTP=$((PORT_BASE + 1)) PORT_STATUS=$((PORT_BASE + 2))

    local stamp
    stamp=edge-$(date -u +%Y%m%dT%H%M%SZ)
    mkdir -p "$BENCH/results"
    WORK="$BENCH/results/$stamp"
    mkdir -p "$WORK/raw"
    RESULTS="$WORK/results.tsv"
    : >"$RESULTS"

    # One binary throughout: a rebuild of .build/release during the run must not mix two builds.
    cp "$PORTICO_BIN" "$WORK/portico"
    PORTICO_RUN_BIN="$WORK/portico"

    # The edge as shipped except: the MCP endpoint also on plain HTTP (else 403 there), and the
    # per-client rate limit out of the way (default 50 r/s would turn the load into 429s).
    # `per_client: null` should switch it off but is read as "absent" (default 50r/s) by this
    # build, so the limit stays in place at a rate no run reaches: nginx still does its
    # limit_req lookup per request, a cost a deployment with the default limit pays as well.
    cat >"$WORK/portico-edge.yaml" <<'YAML'
edge:
  mcp_over_http: true
  rate_limits:
    per_client: 1000000r/s
    per_client_burst: 1000000
YAML
    "$PORTICO_RUN_BIN" check-config "$WORK/portico-edge.yaml" >&2 || die "bench config rejected"
    "$PORTICO_RUN_BIN" edge render -c "$WORK/portico-edge.yaml" >"$WORK/edge-render.conf" 2>/dev/null || true

    {
        printf 'meta\tdate\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
        printf 'meta\tmachine\t%s CPUs (%s), %s MB RAM, Linux %s\n' "$(nproc)" \
            "$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)" \
            "$(awk '/^MemTotal/{print int($2/1024)}' /proc/meminfo)" "$(uname -r)"
        printf 'meta\tportico\t%s (commit %s%s)\n' "$("$PORTICO_RUN_BIN" --version 2>/dev/null || echo '?')" \
            "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')" \
            "$(git -C "$ROOT" diff --quiet HEAD -- Sources 2>/dev/null || echo ', Sources modified')"
        printf 'meta\tbinary\t%s, built %s\n' "$PORTICO_BIN" "$(date -u -r "$PORTICO_BIN" '+%Y-%m-%d %H:%M UTC')"
        printf 'meta\tnginx\t%s; %s\n' "$(nginx -v 2>&1 | sed 's/^nginx version: //')" "$(openssl version 2>/dev/null | cut -d' ' -f1-2)"
        printf 'meta\tupstream\t%s\n' "$(grep -E '^\s*keepalive' "$WORK/edge-render.conf" | xargs | sed 's/; */; /g')"
        printf 'meta\twrk\t%s\n' "$(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
        printf 'meta\tsettings\tDURATION=%ss WARMUP=%ss REPEAT=%s CONNS=%s PINS=%s\n' \
            "$DURATION" "$WARMUP" "$REPEAT" "$CONNS" "$PINS"
        printf 'meta\tload_before\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
        printf 'meta\tclk_tck\t%s\n' "$(getconf CLK_TCK)"
    } >>"$RESULTS"

    log "results in $WORK (QUICK=$QUICK DURATION=${DURATION}s WARMUP=${WARMUP}s REPEAT=$REPEAT PINS=$PINS)"
    local rep
    for PIN in $PINS; do
        if [[ $PIN == split ]] && (($(nproc) >= 2)); then
            SERVER_PIN=(taskset -c 0) CLIENT_PIN=(taskset -c 1)
        elif [[ $PIN == split ]]; then
            SERVER_PIN=(taskset -c 0) CLIENT_PIN=(taskset -c 0)
        else
            SERVER_PIN=() CLIENT_PIN=()
        fi
        for ((rep = 1; rep <= REPEAT; rep++)); do round "$rep"; done
    done
    printf 'meta\tload_after\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RESULTS"

    rm -f "$PORTICO_RUN_BIN"  # tens of MB that only this run needed
    python3 "$BENCH/edge_report.py" "$RESULTS" >"$BENCH/results/$stamp.md"
    log "wrote bench/results/$stamp.md"
    cat "$BENCH/results/$stamp.md"
}

main "$@"
