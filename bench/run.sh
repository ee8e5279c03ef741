#!/usr/bin/env bash
# bench/run.sh: Portico's benchmark, every server measured in one run so the ratios compare like
# with like on a noisy machine. `make bench` calls it; see docs/BENCHMARKS.md.
#
# Measures, with wrk on 127.0.0.1 (server pinned to CPU 0, wrk to CPU 1, so neither steals the
# other's core):
#   - tools/call echo req/s, p50, p99 at each of CONNS connections for
#       Portico modern (2026-07-28), Portico legacy (2025-11-25 sessions),
#       Python SDK stateless+json (modern), Python SDK stateful (legacy, SSE replies),
#       Hummingbird ceiling (constant body of the same size);
#   - legacy session setups/s (initialize + initialized) on Portico and on the Python SDK;
#   - Portico RSS before/after CALLS calls in each era (must stay within ±5%);
#   - RSS per idle legacy session (Portico and Python SDK).
# Writes bench/results/<timestamp>.md (gitignored) and prints it.
#
# Environment (defaults: full run; QUICK=1 for a short smoke run):
#   QUICK=1        short run: DURATION=3 WARMUP=1 REPEAT=1 CALLS=100000 SESSIONS=2000
#   DURATION       seconds per measured wrk run (10)
#   WARMUP         seconds of unrecorded wrk load before each measured run (3)
#   REPEAT         runs per cell, interleaved across servers; the table shows the median (3)
#   CONNS          connection counts (16 64)
#   CALLS          calls per era for the RSS check (1000000)
#   SESSIONS       idle sessions for the memory-per-session figure (5000)
#   PORTICO_BIN    Portico binary (.build/release/portico; `make bench` builds it)
#   PORT_BASE      first loopback port used (18100; the next 3 are used too)
#   PEER_HTTP      fast (uvloop + httptools, default) or plain (asyncio + h11, a bare `pip install mcp`)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
QUICK=${QUICK:-0}
if [[ $QUICK == 1 ]]; then
    DURATION=${DURATION:-3} WARMUP=${WARMUP:-1} REPEAT=${REPEAT:-1} CALLS=${CALLS:-100000} SESSIONS=${SESSIONS:-2000}
else
    DURATION=${DURATION:-10} WARMUP=${WARMUP:-3} REPEAT=${REPEAT:-3} CALLS=${CALLS:-1000000} SESSIONS=${SESSIONS:-5000}
fi
CONNS=${CONNS:-"16 64"}
PORTICO_BIN=${PORTICO_BIN:-"$ROOT/.build/release/portico"}
PORT_BASE=${PORT_BASE:-18100}
PEER_HTTP=${PEER_HTTP:-fast}
VENV="$ROOT/.venv-bench"
CEILING_SCRATCH="$ROOT/.build-bench-ceiling"
CEILING_BIN="$CEILING_SCRATCH/release/ceiling"
RSS_CONNS=16     # connections for the long RSS run
RSS_CHUNK=10     # seconds per wrk run inside the RSS loop (RSS is sampled between runs)
START_DEADLINE=120  # seconds a server may take to print `listening` (Python imports are slow under load)

BENCH_TAG=bench
# shellcheck source=bench/lib.sh
source "$BENCH/lib.sh"

# ---------------------------------------------------------------------------------------------
# Tools: install what is missing, through the ordinary clients only (ensure_wrk: bench/lib.sh).

ensure_venv() {
    # The stamp records the requirements it was built from, so editing the pins rebuilds the venv.
    local req="$BENCH/python_peer/requirements.txt" stamp="$VENV/.bench-installed"
    if [[ -f $stamp ]] && cmp -s "$req" "$stamp"; then return; fi
    log "creating $VENV (Python SDK peer)"
    python3 -m venv "$VENV"
    # Keep the venv out of git as Python 3.13+ venvs do by themselves (3.11 does not).
    printf '*\n' >"$VENV/.gitignore"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$req"
    cp "$req" "$stamp"
}

ensure_ceiling() {
    # Build when missing or older than its sources; a first build takes minutes on 2 cores.
    if [[ -x $CEILING_BIN ]] && [[ -z $(find "$BENCH/ceiling/Package.swift" "$BENCH/ceiling/Sources" -newer "$CEILING_BIN" -print -quit) ]]; then
        return
    fi
    log "building the Hummingbird ceiling (swift build -c release, scratch $CEILING_SCRATCH)"
    swift build -c release --package-path "$BENCH/ceiling" --scratch-path "$CEILING_SCRATCH" >&2
}

# ---------------------------------------------------------------------------------------------
# Servers: one at a time, pinned to CPU 0, started fresh where state would skew a figure.

SERVER_PID=""
STARTED_PIDS=()

cleanup() {
    local pid
    for pid in "${STARTED_PIDS[@]}"; do
        kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server NAME PORT CMD...: runs CMD on CPU 0 and returns once it printed `listening` and
# answers GET /healthz. Sets SERVER_PID.
start_server() {
    local name=$1 port=$2
    shift 2
    local out="$WORK/$name.out" err="$WORK/$name.err"
    : >"$out"  # exists before the background redirection opens it, so the poll below can read it
    taskset -c "$SERVER_CPU" "$@" >"$out" 2>"$err" &
    SERVER_PID=$!
    STARTED_PIDS+=("$SERVER_PID")
    local deadline=$((SECONDS + START_DEADLINE))
    until grep -q '^listening ' "$out"; do
        kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$err" >&2; die "$name exited before listening"; }
        ((SECONDS < deadline)) || die "$name did not print 'listening' within ${START_DEADLINE}s"
        sleep 0.05  # polling interval of a bounded wait, not a synchronisation delay
    done
    curl -sf --max-time 5 "http://127.0.0.1:$port/healthz" >/dev/null || die "$name: /healthz failed"
}

stop_server() {
    local pid=$SERVER_PID deadline=$((SECONDS + 20))
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do
        if ((SECONDS >= deadline)); then kill -KILL "$pid" 2>/dev/null || true; break; fi
        sleep 0.05  # polling interval while the server drains
    done
    wait "$pid" 2>/dev/null || true
    SERVER_PID=""
}

start_portico() { # NAME PORT
    start_server "$1" "$2" "$PORTICO_RUN_BIN" serve --config "$WORK/portico-bench.yaml" --host 127.0.0.1 --port "$2"
}
start_python() { # NAME PORT [server.py flags]
    local name=$1 port=$2
    shift 2
    local plain=()
    [[ $PEER_HTTP == plain ]] && plain=(--plain)
    start_server "$name" "$port" "$VENV/bin/python" "$BENCH/python_peer/server.py" --port "$port" "${plain[@]}" "$@"
}
start_ceiling() { # NAME PORT
    start_server "$1" "$2" "$CEILING_BIN" "$2"
}

rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }

# cpu_ticks PID: user + system CPU time of the process (all threads) in clock ticks. The text
# after the last ')' of /proc/PID/stat starts at field 3, so utime and stime are its 12th and 13th.
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }

# ---------------------------------------------------------------------------------------------
# Load: wrk on CPU 1. Each measured run follows an unrecorded warm-up on the same connections count.

# run_wrk LABEL CONNS REP PORT SCRIPT [VAR=value...]: records a `wrk` row in results.tsv.
run_wrk() {
    local label=$1 conns=$2 rep=$3 port=$4 script=$5
    shift 5
    local out="$WORK/raw/$label.c$conns.r$rep.txt"
    local url="http://127.0.0.1:$port/mcp"
    env "$@" taskset -c "$CLIENT_CPU" wrk -t1 -c"$conns" -d"${WARMUP}s" --timeout 5s -s "$script" "$url" \
        >"$out.warmup" 2>&1 || die "wrk warm-up failed for $label (see $out.warmup)"
    # Server CPU time across the measured run: CPU per request barely moves when other load on
    # the machine takes the server's core away, where req/s does.
    local ticks_before ticks_after
    ticks_before=$(cpu_ticks "$SERVER_PID")
    env "$@" taskset -c "$CLIENT_CPU" wrk -t1 -c"$conns" -d"${DURATION}s" --timeout 5s --latency -s "$script" "$url" \
        >"$out" 2>&1 || die "wrk failed for $label (see $out)"
    ticks_after=$(cpu_ticks "$SERVER_PID")
    printf 'wrk\t%s\t%s\t%s\t%s\t%s\n' "$label" "$conns" "$rep" "$out" "$((ticks_after - ticks_before))" >>"$RESULTS"
    log "  $label c=$conns: $(grep -E '^(RESULT|SETUPS) ' "$out" | cut -d' ' -f2-)"
}

calls() { # LABEL CONNS REP PORT MODE [SIDS]
    run_wrk "$1" "$2" "$3" "$4" "$BENCH/wrk/call.lua" MODE="$5" SIDS="${6:-}"
}

# ---------------------------------------------------------------------------------------------
# The benchmark sections.

bench_throughput() { # REP: every server once, back to back
    local rep=$1 c sids
    log "round $rep/$REPEAT: tools/call echo"

    start_ceiling ceiling "$PORT_CEILING"
    for c in $CONNS; do calls ceiling "$c" "$rep" "$PORT_CEILING" modern; done
    stop_server

    start_portico portico "$PORT_PORTICO"
    for c in $CONNS; do calls portico-modern "$c" "$rep" "$PORT_PORTICO" modern; done
    sids=$(python3 "$BENCH/sessions.py" create "$PORT_PORTICO" "$LEGACY_SESSIONS")
    for c in $CONNS; do calls portico-legacy "$c" "$rep" "$PORT_PORTICO" legacy "$sids"; done
    stop_server

    start_python python-stateless "$PORT_PY_STATELESS" --stateless --json
    for c in $CONNS; do calls python-stateless "$c" "$rep" "$PORT_PY_STATELESS" modern; done
    stop_server

    start_python python-stateful "$PORT_PY_STATEFUL"
    sids=$(python3 "$BENCH/sessions.py" create "$PORT_PY_STATEFUL" "$LEGACY_SESSIONS")
    for c in $CONNS; do calls python-stateful "$c" "$rep" "$PORT_PY_STATEFUL" legacy "$sids"; done
    stop_server
}

bench_setups() { # REP: legacy session setups/s, on a fresh server per run (sessions pile up)
    local rep=$1 c
    log "round $rep/$REPEAT: legacy session setups"
    for c in $CONNS; do
        start_portico portico-setup "$PORT_PORTICO"
        run_wrk portico-setup "$c" "$rep" "$PORT_PORTICO" "$BENCH/wrk/setup.lua"
        stop_server
        start_python python-setup "$PORT_PY_STATEFUL" --max-sessions 0
        run_wrk python-setup "$c" "$rep" "$PORT_PY_STATEFUL" "$BENCH/wrk/setup.lua"
        stop_server
    done
}

bench_session_memory() { # RSS per idle legacy session, fresh servers
    log "memory per idle legacy session ($SESSIONS sessions)"
    local json
    start_portico portico-sessions "$PORT_PORTICO"
    json=$(python3 "$BENCH/sessions.py" rss "$PORT_PORTICO" "$SERVER_PID" "$SESSIONS")
    printf 'sessmem\tportico\t%s\n' "$json" >>"$RESULTS"
    log "  portico: $json"
    stop_server
    start_python python-sessions "$PORT_PY_STATEFUL" --max-sessions 0
    json=$(python3 "$BENCH/sessions.py" rss "$PORT_PY_STATEFUL" "$SERVER_PID" "$SESSIONS")
    printf 'sessmem\tpython-stateful\t%s\n' "$json" >>"$RESULTS"
    log "  python-stateful: $json"
    stop_server
}

bench_rss() { # Portico RSS across CALLS calls per era on one fresh process
    log "Portico RSS over $CALLS calls per era"
    start_portico portico-rss "$PORT_PORTICO"
    local pid=$SERVER_PID sids mode done_calls chunk n max_chunks
    sids=$(python3 "$BENCH/sessions.py" create "$PORT_PORTICO" "$LEGACY_SESSIONS")
    # Warm-up in both eras first: the first calls fill allocator caches and lazily built tables,
    # which is growth the check must not count.
    for mode in modern legacy; do
        MODE=$mode SIDS=$sids taskset -c "$CLIENT_CPU" wrk -t1 -c"$RSS_CONNS" -d"${WARMUP}s" --timeout 5s \
            -s "$BENCH/wrk/call.lua" "http://127.0.0.1:$PORT_PORTICO/mcp" >"$WORK/raw/rss-warmup-$mode.txt" 2>&1
    done
    printf 'rss\twarm\t0\t%s\n' "$(rss_kb "$pid")" >>"$RESULTS"
    # Bounded in count (stop at CALLS) and in time (at most max_chunks runs, i.e. as if the server
    # managed only 500 calls/s).
    max_chunks=$(((CALLS + 500 * RSS_CHUNK - 1) / (500 * RSS_CHUNK)))
    for mode in modern legacy; do
        done_calls=0 chunk=0
        while ((done_calls < CALLS && chunk < max_chunks)); do
            chunk=$((chunk + 1))
            local out="$WORK/raw/rss-$mode-$chunk.txt"
            MODE=$mode SIDS=$sids taskset -c "$CLIENT_CPU" wrk -t1 -c"$RSS_CONNS" -d"${RSS_CHUNK}s" --timeout 5s \
                -s "$BENCH/wrk/call.lua" "http://127.0.0.1:$PORT_PORTICO/mcp" >"$out" 2>&1 || die "wrk failed (see $out)"
            n=$(sed -n 's/^RESULT requests=\([0-9]*\).*/\1/p' "$out")
            done_calls=$((done_calls + n))
            printf 'rss\t%s\t%s\t%s\n' "$mode" "$done_calls" "$(rss_kb "$pid")" >>"$RESULTS"
            printf 'rsswrk\t%s\t%s\n' "$mode" "$out" >>"$RESULTS"
        done
        log "  after $done_calls $mode calls: RSS $(rss_kb "$pid") kB"
    done
    stop_server
}

# ---------------------------------------------------------------------------------------------

main() {
    [[ -x $PORTICO_BIN ]] || die "no Portico binary at $PORTICO_BIN (run 'make build', or 'make bench')"
    command -v taskset >/dev/null || die "taskset (util-linux) is required"
    ensure_wrk
    ensure_venv
    ensure_ceiling
    [[ $PEER_HTTP == fast || $PEER_HTTP == plain ]] || die "PEER_HTTP must be fast or plain"

    # Pin the server and the client to different CPUs when there are two; on one CPU, share it.
    if (($(nproc) >= 2)); then SERVER_CPU=0 CLIENT_CPU=1; else SERVER_CPU=0 CLIENT_CPU=0; fi
    PORT_CEILING=$PORT_BASE PORT_PORTICO=$((PORT_BASE + 1))
    PORT_PY_STATELESS=$((PORT_BASE + 2)) PORT_PY_STATEFUL=$((PORT_BASE + 3))
    LEGACY_SESSIONS=64  # sessions the legacy echo load rotates over (one per connection at c=64)

    local stamp
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    mkdir -p "$BENCH/results"
    WORK="$BENCH/results/$stamp"
    mkdir -p "$WORK/raw"
    RESULTS="$WORK/results.tsv"
    : >"$RESULTS"

    # Run one binary throughout: a rebuild of .build/release during the run must not mix two
    # builds in one table.
    cp "$PORTICO_BIN" "$WORK/portico"
    PORTICO_RUN_BIN="$WORK/portico"

    # Portico with defaults except the session cap: the setups run opens hundreds of thousands
    # of sessions, far past the default 10,000.
    cat >"$WORK/portico-bench.yaml" <<'YAML'
limits:
  max_sessions: 2000000
YAML

    {
        printf 'meta\tdate\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
        printf 'meta\tmachine\t%s CPUs (%s), %s MB RAM, Linux %s\n' "$(nproc)" \
            "$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)" \
            "$(awk '/^MemTotal/{print int($2/1024)}' /proc/meminfo)" "$(uname -r)"
        printf 'meta\tportico\t%s (commit %s%s)\n' "$("$PORTICO_BIN" --version 2>/dev/null || echo '?')" \
            "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')" \
            "$(git -C "$ROOT" diff --quiet HEAD -- Sources 2>/dev/null || echo ', Sources modified')"
        printf 'meta\tbinary\t%s, built %s\n' "$PORTICO_BIN" "$(date -u -r "$PORTICO_BIN" '+%Y-%m-%d %H:%M UTC')"
        printf 'meta\tswift\t%s\n' "$(swift --version 2>/dev/null | head -1)"
        printf 'meta\tpeer_http\t%s\n' "$([[ $PEER_HTTP == plain ]] && echo 'asyncio + h11' || echo 'uvloop + httptools')"
        printf 'meta\tpython\t%s; mcp %s, uvicorn %s\n' "$("$VENV/bin/python" --version)" \
            "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("mcp"))')" \
            "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("uvicorn"))')"
        printf 'meta\twrk\t%s\n' "$(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
        printf 'meta\tsettings\tDURATION=%ss WARMUP=%ss REPEAT=%s CONNS=%s CALLS=%s SESSIONS=%s server CPU %s, wrk CPU %s\n' \
            "$DURATION" "$WARMUP" "$REPEAT" "$CONNS" "$CALLS" "$SESSIONS" "$SERVER_CPU" "$CLIENT_CPU"
        printf 'meta\tload_before\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
        printf 'meta\tclk_tck\t%s\n' "$(getconf CLK_TCK)"
        printf 'meta\tsteal_before\t%s\n' "$(awk '/^cpu /{print $9}' /proc/stat)"
        printf 'meta\tjiffies_before\t%s\n' "$(awk '/^cpu /{s=0; for (i=2; i<=NF; i++) s+=$i; print s}' /proc/stat)"
    } >>"$RESULTS"

    log "results in $WORK (QUICK=$QUICK DURATION=${DURATION}s WARMUP=${WARMUP}s REPEAT=$REPEAT)"
    local rep
    for ((rep = 1; rep <= REPEAT; rep++)); do bench_throughput "$rep"; done
    for ((rep = 1; rep <= REPEAT; rep++)); do bench_setups "$rep"; done
    bench_session_memory
    bench_rss
    {
        printf 'meta\tload_after\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
        printf 'meta\tsteal_after\t%s\n' "$(awk '/^cpu /{print $9}' /proc/stat)"
        printf 'meta\tjiffies_after\t%s\n' "$(awk '/^cpu /{s=0; for (i=2; i<=NF; i++) s+=$i; print s}' /proc/stat)"
    } >>"$RESULTS"

    rm -f "$PORTICO_RUN_BIN"  # 60 MB that only this run needed
    python3 "$BENCH/report.py" "$RESULTS" >"$BENCH/results/$stamp.md"
    log "wrote bench/results/$stamp.md"
    cat "$BENCH/results/$stamp.md"
}

main "$@"
