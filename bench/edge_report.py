#!/usr/bin/env python3
"""edge_report.py: the Markdown report of bench/edge.sh (stdout).

    edge_report.py RESULTS.tsv         the report
    edge_report.py --logstat FILE      one JSON line summarising nginx's JSON access log of one run

Rows of RESULTS.tsv (tab-separated), written by edge.sh:
    meta     KEY VALUE
    cell     PIN TARGET CONNS REP FILE APP_TICKS NGINX_TICKS PASSIVE_OPENS CPU_BEFORE CPU_AFTER APP_CONNS WRK_CPU
             FILE holds wrk's output with call.lua's RESULT line; *_TICKS are CPU clock ticks over the
             measured run; PASSIVE_OPENS the box's accepted TCP connections over it; CPU_* are
             /proc/stat's user nice system idle iowait irq softirq steal of CPU 0 then CPU 1;
             APP_CONNS the connections the app held halfway through; WRK_CPU wrk's user + system seconds
    logstat  PIN TARGET CONNS REP JSON  from --logstat (nginx targets only)

Each (placement, target, connections) cell shows the run with the median req/s among the rounds
(its own p50/p99) and the spread; ratios are computed per round (the three targets ran back to
back on the same process) and the median over rounds is shown.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections import Counter, defaultdict

# The wrk RESULT parser and number formats are bench/run.sh's (this script sits beside report.py).
from report import num, parse_wrk, us

T_EDGE_SHARE = 0.60  # through-nginx req/s ≥ 60% of direct (issue: edge)

NAMES = {
    "direct": "direct to the app",
    "http": "nginx, plain HTTP",
    "https": "nginx, HTTPS (TLS 1.3)",
}
PLACEMENTS = {
    "split": "split: `portico up` (app + nginx) on CPU 0, wrk on CPU 1",
    "shared": "shared: nothing pinned, app + nginx + wrk on both CPUs",
}


def logstat(path: str) -> int:
    """Summarises one measured run's access log: counts, statuses, protocols, nginx timings."""
    n = bad_json = 0
    status: Counter[str] = Counter()
    protocol: Counter[str] = Counter()
    tls: Counter[str] = Counter()
    request_time: list[float] = []
    upstream_time: list[float] = []
    connect_nonzero = 0
    with open(path, errors="replace") as f:
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                bad_json += 1
                continue
            n += 1
            status[str(e.get("status"))] += 1
            protocol[e.get("protocol", "")] += 1
            tls[e.get("ssl_protocol") or "-"] += 1
            try:
                request_time.append(float(e["request_time"]))
                # One upstream per request here; "a, b" would mean nginx retried another server.
                upstream_time.append(float(e["upstream_response_time"]))
                if float(e["upstream_connect_time"]) > 0:
                    connect_nonzero += 1
            except (KeyError, ValueError):
                pass
    out = {
        "requests": n,
        "unparsed": bad_json,
        "status": dict(status),
        "protocol": dict(protocol),
        "tls": dict(tls),
        "request_time_mean_ms": 1000 * statistics.fmean(request_time) if request_time else None,
        "upstream_time_mean_ms": 1000 * statistics.fmean(upstream_time) if upstream_time else None,
        "upstream_connect_nonzero": connect_nonzero,
    }
    print(json.dumps(out, separators=(",", ":")))
    return 0


def report(path: str) -> int:
    meta: dict[str, str] = {}
    runs: dict[tuple[str, str, int], list[dict]] = defaultdict(list)
    logs: dict[tuple[str, str, int, int], dict] = {}
    missing: list[str] = []
    clk_tck = 100.0
    with open(path) as f:
        rows = [raw.rstrip("\n").split("\t") for raw in f]
    for row in rows:
        if row[0] == "meta":
            meta[row[1]] = row[2]
            if row[1] == "clk_tck":
                clk_tck = float(row[2])
        elif row[0] == "logstat":
            logs[(row[1], row[2], int(row[3]), int(row[4]))] = json.loads(row[5])
    for row in rows:
        if row[0] != "cell":
            continue
        pin, target, conns, rep = row[1], row[2], int(row[3]), int(row[4])
        r = parse_wrk(row[5])
        if r is None:
            missing.append(row[5])
            continue
        r["rep"] = rep
        requests = r["requests"] or 1
        r["app_us"] = int(row[6]) * 1e6 / clk_tck / requests
        r["nginx_us"] = int(row[7]) * 1e6 / clk_tck / requests
        r["server_us"] = r["app_us"] + r["nginx_us"]
        # Accepted connections beyond wrk's own: the upstream connections nginx opened.
        r["new_upstream"] = max(0, int(row[8]) - conns) if target != "direct" else 0
        d = [b - a for a, b in zip((int(x) for x in row[9].split()), (int(x) for x in row[10].split()))]
        cores = [d[0:8], d[8:16]]
        # busy = everything but idle and iowait; "other" = user, nice, system, irq and softirq time
        # of both cores (this kernel charges softirq work done in a process's context to that
        # process) minus what app, nginx and wrk were charged, in cores over the run.
        r["busy0"], r["busy1"] = ((sum(c) - c[3] - c[4]) / max(1, sum(c)) for c in cores)
        wall = max(1, sum(cores[0])) / clk_tck  # seconds the measurement spanned
        charged = (int(row[6]) + int(row[7])) / clk_tck + (float(row[12]) if len(row) > 12 and row[12] else 0.0)
        busy = sum(c[0] + c[1] + c[2] + c[5] + c[6] for c in cores) / clk_tck
        stolen = sum(c[7] for c in cores) / clk_tck  # the hypervisor ran another guest
        r["other"] = (max(0.0, busy - charged) + stolen) / wall
        r["wrk_us"] = float(row[12]) * 1e6 / requests if len(row) > 12 and row[12] else None
        r["app_conns"] = int(row[11]) if row[11] else None
        r["log"] = logs.get((pin, target, conns, rep), {})
        runs[(pin, target, conns)].append(r)

    def median_run(pin: str, target: str, conns: int) -> dict | None:
        cell = sorted(runs.get((pin, target, conns), []), key=lambda r: r["rate"])
        return cell[(len(cell) - 1) // 2] if cell else None

    def med(pin: str, target: str, conns: int, key: str) -> float | None:
        values = [r[key] for r in runs.get((pin, target, conns), []) if r.get(key) is not None]
        return statistics.median(values) if values else None

    def paired(pin: str, target: str, conns: int, key: str) -> list[float]:
        """target/direct ratios of `key`, one per round (sorted)."""
        mine = {r["rep"]: r[key] for r in runs.get((pin, target, conns), [])}
        direct = {r["rep"]: r[key] for r in runs.get((pin, "direct", conns), [])}
        return sorted(mine[k] / direct[k] for k in mine if k in direct and direct[k])

    def spread(pin: str, target: str, conns: int) -> str:
        rates = [r["rate"] for r in runs.get((pin, target, conns), [])]
        return f"{num(min(rates))}–{num(max(rates))}" if len(rates) >= 2 else ""

    pins = [p for p in ("split", "shared") if any(k[0] == p for k in runs)]
    targets = [t for t in ("direct", "http", "https") if any(k[1] == t for k in runs)]
    conns_list = sorted({k[2] for k in runs})

    out: list[str] = []
    w = out.append
    w(f"# Portico edge benchmark — {meta.get('date', '?')}")
    w("")
    w(f"- Machine: {meta.get('machine', '?')}; load average before {meta.get('load_before', '?')}, after {meta.get('load_after', '?')}")
    w(f"- Portico {meta.get('portico', '?')}; binary {meta.get('binary', '?')}")
    w(f"- Edge: {meta.get('nginx', '?')}; upstream pool: {meta.get('upstream', '?')}")
    for p in pins:
        w(f"- Placement {p}: {meta.get('affinity_' + p, '?')}; nginx workers: {meta.get('workers_' + p, '?')}")
    w(f"- Load: {meta.get('wrk', 'wrk')}, one thread, `bench/wrk/call.lua` MODE=modern (2026-07-28 tools/call echo), every reply checked")
    w(f"- Settings: {meta.get('settings', '?')}")
    w("")
    w("req/s, p50, p99: the round with the median req/s (spread of all rounds in the last column). "
      "\"vs direct\": nginx req/s ÷ direct req/s of the same round, median over rounds. "
      "CPU/req: CPU time (user + system, /proc/<pid>/stat) over the measured run ÷ requests, median over rounds; "
      "app = the `portico up` process, nginx = master + workers; \"CPU ratio\" = direct server CPU/req ÷ this target's, "
      "the req/s share a CPU-bound server would reach, steadier than req/s on a busy machine. "
      "CPU0/CPU1: share of each core busy during the run; other: CPU time of everything but app, nginx and wrk "
      "(other work on the machine, kernel time not charged to a process) plus hypervisor steal, in cores. "
      "Upstream conns opened: TCP connections accepted on the box during the run minus wrk's own (nginx opening "
      "new upstream connections instead of reusing its keep-alive pool). App conns: connections the app held halfway.")
    w("")
    for p in pins:
        w(f"## {PLACEMENTS[p]}")
        w("")
        w("| Target | conns | req/s | p50 | p99 | req/s vs direct | p99 vs direct | app CPU/req | nginx CPU/req | server CPU/req | CPU ratio | wrk CPU/req | CPU0 | CPU1 | other | upstream conns opened | app conns | errors | req/s spread |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for c in conns_list:
            for t in targets:
                r = median_run(p, t, c)
                if r is None:
                    continue
                share = p99x = cpu_ratio = ""
                if t != "direct" and paired(p, t, c, "rate"):
                    share = f"{statistics.median(paired(p, t, c, 'rate')):.0%}"
                    p99x = f"{statistics.median(paired(p, t, c, 'p99_us')):.2f}×"
                    cpu_ratio = f"{1 / statistics.median(paired(p, t, c, 'server_us')):.0%}"
                wrk_us = med(p, t, c, "wrk_us")
                errors = int(sum(x["errors"] for x in runs[(p, t, c)]))
                nginx_us = med(p, t, c, "nginx_us")
                opened = med(p, t, c, "new_upstream") if t != "direct" else None
                w(f"| {NAMES[t]} | {c} | {num(r['rate'])} | {us(r['p50_us'])} | {us(r['p99_us'])} | {share} | {p99x} | "
                  f"{med(p, t, c, 'app_us'):.0f} µs | {'' if t == 'direct' else f'{nginx_us:.0f} µs'} | "
                  f"{med(p, t, c, 'server_us'):.0f} µs | {cpu_ratio} | {'' if wrk_us is None else f'{wrk_us:.0f} µs'} | "
                  f"{med(p, t, c, 'busy0'):.0%} | {med(p, t, c, 'busy1'):.0%} | {med(p, t, c, 'other'):.2f} | "
                  f"{'' if opened is None else num(opened)} | {'' if r['app_conns'] is None else r['app_conns']} | "
                  f"{errors} | {spread(p, t, c)} |")
        w("")
        # nginx's own view: its request time vs the app's, per target (median run's log).
        lines = []
        for c in conns_list:
            for t in targets:
                if t == "direct":
                    continue
                r = median_run(p, t, c)
                lg = r.get("log") if r else None
                if not lg or not lg.get("requests"):
                    continue
                statuses = ", ".join(f"{k}: {num(v)}" for k, v in sorted(lg["status"].items()))
                protos = ", ".join(f"{k}" for k in lg["protocol"])
                tls = ", ".join(k for k in lg["tls"] if k != "-") or "none"
                extra = (lg["request_time_mean_ms"] or 0) - (lg["upstream_time_mean_ms"] or 0)
                lines.append(f"- {NAMES[t]}, c={c}: access log {num(lg['requests'])} requests (status {statuses}; {protos}; TLS {tls}); "
                             f"mean request_time {lg['request_time_mean_ms']:.2f} ms, upstream_response_time {lg['upstream_time_mean_ms']:.2f} ms "
                             f"(nginx's own share {extra:.2f} ms); upstream_connect_time > 0 in {num(lg['upstream_connect_nonzero'])}")
        if lines:
            w("nginx access log (median run):")
            w("")
            out.extend(lines)
            w("")

    w("## Target: through nginx ≥ 60% of direct req/s")
    w("")
    w("Per round: nginx ÷ direct req/s of each round in round order, with the CPU time of other work on the "
      "machine during the direct and the nginx run (in cores) — a round where other work took a core is not a "
      "measure of nginx.")
    w("")
    w("| Placement | Target | conns | nginx ÷ direct (median of rounds) | per round (other work: direct / nginx) | CPU ratio | Verdict |")
    w("|---|---|---:|---:|---|---:|---|")
    for p in pins:
        for t in targets:
            if t == "direct":
                continue
            for c in conns_list:
                ratios = paired(p, t, c, "rate")
                if not ratios:
                    continue
                share = statistics.median(ratios)
                verdict = "**met**" if share >= T_EDGE_SHARE else f"**missed** (gap {T_EDGE_SHARE - share:.0%})"
                direct = {r["rep"]: r for r in runs[(p, "direct", c)]}
                rounds = []
                for r in sorted(runs[(p, t, c)], key=lambda r: r["rep"]):
                    if r["rep"] in direct:
                        d = direct[r["rep"]]
                        rounds.append(f"{r['rate'] / d['rate']:.0%} ({d['other']:.2f} / {r['other']:.2f})")
                cpu_ratio = 1 / statistics.median(paired(p, t, c, "server_us"))
                w(f"| {p} | {NAMES[t]} | {c} | {share:.0%} | {', '.join(rounds)} | {cpu_ratio:.0%} | {verdict} |")
    w("")
    if missing:
        w("Runs without a RESULT line (wrk failed or was cut short): " + ", ".join(missing))
        w("")
    print("\n".join(out))
    return 0


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--logstat":
        return logstat(sys.argv[2])
    if len(sys.argv) == 2:
        return report(sys.argv[1])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
