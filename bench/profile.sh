#!/usr/bin/env bash
# bench/profile.sh: where Portico's CPU time goes under the benchmark's tools/call load.
#
# Starts Portico pinned to CPU 0, loads it with wrk on CPU 1 (call.lua, MODE modern or legacy,
# or setup.lua with MODE=setup) and samples it with `perf record` (cpu-clock, which works in VMs
# without hardware counters). Prints the hottest symbols, self time, demangled, and writes the
# full reports next to perf.data in bench/results/profile-<timestamp>/.
#
# Environment: MODE (modern), CONNS (16), SECONDS_TO_PROFILE (10), FREQ (1999 Hz), TOP (40),
#              PORTICO_BIN (.build/release/portico), PORT (18190),
#              TARGET=ceiling profiles the Hummingbird ceiling instead (same load, MODE=modern),
#              to tell the framework's share of a hot spot from Portico's.
# Needs perf (Debian: linux-perf); installs it with apt-get when missing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
MODE=${MODE:-modern}
CONNS=${CONNS:-16}
SECONDS_TO_PROFILE=${SECONDS_TO_PROFILE:-10}
FREQ=${FREQ:-1999}
TOP=${TOP:-40}
PORTICO_BIN=${PORTICO_BIN:-"$ROOT/.build/release/portico"}
PORT=${PORT:-18190}
TARGET=${TARGET:-portico}
CEILING_BIN="$ROOT/.build-bench-ceiling/release/ceiling"

log() { printf '[profile %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ -x $PORTICO_BIN ]] || die "no Portico binary at $PORTICO_BIN (run 'make build')"
if ! command -v perf >/dev/null; then
    log "installing linux-perf (apt-get)"
    apt-get update -qq && apt-get install -y -qq linux-perf >/dev/null
fi
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

OUT="$BENCH/results/profile-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"

SERVER_PID="" PERF_PID=""
cleanup() {
    [[ -n $PERF_PID ]] && kill -INT "$PERF_PID" 2>/dev/null || true
    [[ -n $SERVER_PID ]] && kill -TERM "$SERVER_PID" 2>/dev/null || true
}
trap cleanup EXIT

printf 'limits:\n  max_sessions: 2000000\n' >"$OUT/portico.yaml"
: >"$OUT/server.out" # exists before the background redirection opens it, so the poll can read it
if [[ $TARGET == ceiling ]]; then
    [[ -x $CEILING_BIN ]] || die "no ceiling binary (bench/run.sh builds it)"
    [[ $MODE == modern ]] || die "the ceiling serves only the modern load"
    taskset -c 0 "$CEILING_BIN" "$PORT" >"$OUT/server.out" 2>"$OUT/server.err" &
else
    taskset -c 0 "$PORTICO_BIN" serve --config "$OUT/portico.yaml" --host 127.0.0.1 --port "$PORT" >"$OUT/server.out" 2>"$OUT/server.err" &
fi
SERVER_PID=$!
deadline=$((SECONDS + 60))
until grep -q '^listening ' "$OUT/server.out"; do
    kill -0 "$SERVER_PID" 2>/dev/null || die "$TARGET exited before listening"
    ((SECONDS < deadline)) || die "$TARGET did not print 'listening' within 60s"
    sleep 0.05 # polling interval of a bounded wait
done

url="http://127.0.0.1:$PORT/mcp"
script="$BENCH/wrk/call.lua" sids=""
case $MODE in
    modern) ;;
    legacy) sids=$(python3 "$BENCH/sessions.py" create "$PORT" 64) ;;
    setup) script="$BENCH/wrk/setup.lua" ;;
    *) die "MODE must be modern, legacy or setup" ;;
esac
wrk_mode=$MODE
[[ $MODE == setup ]] && wrk_mode=modern

# Warm-up outside the profile, then sample exactly while the measured load runs.
MODE=$wrk_mode SIDS=$sids taskset -c 1 wrk -t1 -c"$CONNS" -d2s -s "$script" "$url" >/dev/null
perf record -e cpu-clock -F "$FREQ" -g -p "$SERVER_PID" -o "$OUT/perf.data" 2>"$OUT/perf-record.log" &
PERF_PID=$!
MODE=$wrk_mode SIDS=$sids taskset -c 1 wrk -t1 -c"$CONNS" -d"${SECONDS_TO_PROFILE}s" --latency -s "$script" "$url" >"$OUT/wrk.txt"
kill -INT "$PERF_PID"
wait "$PERF_PID" || true
PERF_PID=""
grep -E '^(RESULT|SETUPS) ' "$OUT/wrk.txt" >&2 || true

# Self time per symbol, and per shared object, demangled.
perf report -i "$OUT/perf.data" --stdio --no-children --sort symbol -g none --percent-limit 0.3 2>/dev/null \
    | swift-demangle --simplified >"$OUT/self-by-symbol.txt"
perf report -i "$OUT/perf.data" --stdio --no-children --sort dso -g none 2>/dev/null >"$OUT/self-by-dso.txt"
# Inclusive time (children), to see which Portico frames own the work below them.
perf report -i "$OUT/perf.data" --stdio --children --sort symbol -g none --percent-limit 1 2>/dev/null \
    | swift-demangle --simplified >"$OUT/inclusive-by-symbol.txt"

# Samples charged to the innermost frame of Portico's own modules (see perf_attribute.py).
perf script -i "$OUT/perf.data" -F ip,sym,dso 2>/dev/null >"$OUT/perf-script.txt"
python3 "$BENCH/perf_attribute.py" "$OUT/perf-script.txt" | swift-demangle --simplified >"$OUT/attributed.txt"

echo "== $TARGET, MODE=$MODE, c=$CONNS: $(grep -E '^(RESULT|SETUPS) ' "$OUT/wrk.txt" | cut -d' ' -f2-4)"
echo "== self time by shared object"
grep -v '^#' "$OUT/self-by-dso.txt" | sed '/^$/d' | head -12 || true # head closes the pipe early: not a failure
echo "== top $TOP symbols by self time"
grep -v '^#' "$OUT/self-by-symbol.txt" | sed '/^$/d' | head -"$TOP" | cut -c1-200 || true # head closes the pipe early: not a failure
echo "== innermost Portico frames"
sed -n '1p;/== innermost Portico/,/^$/p' "$OUT/attributed.txt" | head -$((TOP / 2 + 3)) | cut -c1-200 || true # head closes the pipe early: not a failure
echo "(full reports: $OUT)"
