# shellcheck shell=bash
# bench/lib.sh: helpers shared by the bench scripts (sourced; set BENCH_TAG first).

log() { printf '[%s %(%H:%M:%S)T] %s\n' "${BENCH_TAG:-bench}" -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

# wrk from Debian's packages, installed through apt-get when missing.
ensure_wrk() {
    command -v wrk >/dev/null && return
    log "installing wrk (apt-get)"
    local sudo=""
    [[ $(id -u) == 0 ]] || sudo=sudo
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq wrk >/dev/null
}
