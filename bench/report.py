#!/usr/bin/env python3
"""report.py RESULTS.tsv: turns bench/run.sh's raw results into the Markdown report (stdout).

Rows of RESULTS.tsv (tab-separated), written by run.sh:
    meta     KEY VALUE
    wrk      LABEL CONNS REP FILE      FILE holds wrk's output with call.lua's RESULT or setup.lua's SETUPS line
    sessmem  LABEL JSON                from sessions.py rss
    rss      PHASE CALLS RSS_KB        PHASE is warm, modern or legacy; CALLS counted within the phase
    rsswrk   MODE FILE                 one wrk run of the RSS loop

Each (server, connections) cell shows the run with the median req/s among the repeats (its own
p50/p99), with the spread of all repeats beside it. Ratios are computed between medians of this
same run only.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
from collections import defaultdict

# Targets (docs/BENCHMARKS.md).
T_CEILING_SHARE = 0.70
T_PYTHON_FACTOR = 10.0
T_P99_FACTOR = 2.0
T_SETUPS = 10_000
T_RSS_DRIFT = 0.05
T_SESSION_BYTES = 4096

LABELS = {
    "ceiling": "Hummingbird ceiling (constant 265-byte body)",
    "portico-modern": "Portico, modern (2026-07-28, stateless)",
    "portico-legacy": "Portico, legacy (2025-11-25 sessions)",
    "python-stateless": "Python SDK, stateless+json (2026-07-28)",
    "python-stateful": "Python SDK, stateful (2025-11-25 sessions, SSE replies)",
    "portico-setup": "Portico",
    "python-setup": "Python SDK (stateful)",
}
THROUGHPUT_ORDER = ["ceiling", "portico-modern", "portico-legacy", "python-stateless", "python-stateful"]
# Which Python configuration is the like-for-like peer of each Portico mode.
PYTHON_PEER = {"portico-modern": "python-stateless", "portico-legacy": "python-stateful"}

KV = re.compile(r"(\w+)=([0-9.]+)")


def parse_wrk(path: str) -> dict[str, float] | None:
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith(("RESULT ", "SETUPS ")):
                values = {k: float(v) for k, v in KV.findall(line)}
                values["rate"] = values.get("rps", values.get("setups_per_s", 0.0))
                values["errors"] = sum(values.get(k, 0) for k in ("bad", "status_errors", "socket_errors"))
                return values
    return None


def us(value: float) -> str:
    return f"{value / 1000:.2f} ms" if value >= 1000 else f"{value:.0f} µs"


def num(value: float) -> str:
    return f"{value:,.0f}"


def ok(flag: bool) -> str:
    return "**met**" if flag else "**missed**"


def main() -> int:
    meta: dict[str, str] = {}
    runs: dict[tuple[str, int], list[dict[str, float]]] = defaultdict(list)
    sessmem: dict[str, dict] = {}
    rss: list[tuple[str, int, int]] = []
    rss_runs: dict[str, list[dict[str, float]]] = defaultdict(list)
    missing: list[str] = []

    clk_tck = 100.0
    with open(sys.argv[1]) as f:
        for raw in f:
            row = raw.rstrip("\n").split("\t")
            kind = row[0]
            if kind == "meta":
                meta[row[1]] = row[2]
                if row[1] == "clk_tck":
                    clk_tck = float(row[2])
            elif kind == "wrk":
                parsed = parse_wrk(row[4])
                if parsed is None:
                    missing.append(row[4])
                else:
                    parsed["rep"] = int(row[3])
                    # Server CPU µs per request (run.sh writes the tick delta in column 6).
                    if len(row) > 5 and row[5] and parsed["requests"]:
                        parsed["cpu_us"] = int(row[5]) * 1e6 / clk_tck / parsed["requests"]
                    runs[(row[1], int(row[2]))].append(parsed)
            elif kind == "sessmem":
                sessmem[row[1]] = json.loads(row[2])
            elif kind == "rss":
                rss.append((row[1], int(row[2]), int(row[3])))
            elif kind == "rsswrk":
                parsed = parse_wrk(row[2])
                if parsed:
                    rss_runs[row[1]].append(parsed)

    def median_run(label: str, conns: int) -> dict[str, float] | None:
        cell = sorted(runs.get((label, conns), []), key=lambda r: r["rate"])
        return cell[(len(cell) - 1) // 2] if cell else None

    def spread(label: str, conns: int) -> str:
        rates = [r["rate"] for r in runs.get((label, conns), [])]
        if len(rates) < 2:
            return ""
        return f"{num(min(rates))}–{num(max(rates))}"

    def paired(label: str, ref: str, conns: int, key: str) -> list[float]:
        """label/ref ratios of `key`, one per round in which both ran (back to back)."""
        mine = {r["rep"]: r[key] for r in runs.get((label, conns), [])}
        theirs = {r["rep"]: r[key] for r in runs.get((ref, conns), [])}
        return sorted(mine[k] / theirs[k] for k in mine if k in theirs and theirs[k])

    def paired_text(ratios: list[float], fmt: str) -> str:
        if len(ratios) < 2:
            return ""
        return f"per-round {fmt.format(min(ratios))}–{fmt.format(max(ratios))}, median {fmt.format(statistics.median(ratios))}"

    def cpu_us(label: str, conns: int) -> float | None:
        values = [r["cpu_us"] for r in runs.get((label, conns), []) if "cpu_us" in r]
        return statistics.median(values) if values else None

    def paren(*parts: str) -> str:
        return "(" + "; ".join(p for p in parts if p) + ")"

    conns_list = sorted({c for (_, c) in runs})
    out: list[str] = []
    w = out.append

    w(f"# Portico benchmark — {meta.get('date', '?')}")
    w("")
    steal = ""
    try:
        steal_share = (int(meta["steal_after"]) - int(meta["steal_before"])) / (int(meta["jiffies_after"]) - int(meta["jiffies_before"]))
        steal = f"; CPU time stolen by the hypervisor during the run: {steal_share:.1%}"
    except (KeyError, ValueError, ZeroDivisionError):
        pass
    w(f"- Machine: {meta.get('machine', '?')}; load average before {meta.get('load_before', '?')}, after {meta.get('load_after', '?')}{steal}")
    w(f"- Portico {meta.get('portico', '?')}; binary {meta.get('binary', '?')}; {meta.get('swift', '')}")
    w(f"- Peer: {meta.get('python', '?')} ({meta.get('peer_http', 'uvloop + httptools')}, access log off); load: {meta.get('wrk', 'wrk')}, one thread")
    w(f"- Settings: {meta.get('settings', '?')}")
    w("")

    # --- Throughput -------------------------------------------------------------------------
    w("## tools/call echo")
    w("")
    w("req/s, p50, p99: the run with the median req/s among the repeats (spread of all repeats in the "
      "last column). Ratios: each round runs every server back to back, a ratio is computed per round "
      "and the median over rounds is shown, so a drift of the machine's background load between "
      "rounds cancels out. \"vs ceiling\" = req/s share of the Hummingbird ceiling and p99 multiple "
      "of its p99; \"vs Python\" = req/s multiple of the like-for-like Python SDK configuration "
      "(modern ↔ stateless+json, legacy ↔ stateful).")
    w("")
    w("\"CPU/req\" = the server's CPU time (user + system, all threads, from /proc/<pid>/stat) divided "
      "by the requests of the run, median over rounds; \"CPU share\" = ceiling CPU/req ÷ this server's "
      "CPU/req, i.e. the req/s share it would reach if both were CPU-bound on the same core. It moves "
      "far less than req/s when other work on the machine takes the server's core away.")
    w("")
    w("| Server | conns | req/s | p50 | p99 | req/s vs ceiling | p99 vs ceiling | req/s vs Python | CPU/req | CPU share | errors | req/s spread |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for conns in conns_list:
        ceiling = median_run("ceiling", conns)
        for label in THROUGHPUT_ORDER:
            r = median_run(label, conns)
            if r is None:
                continue
            share = p99x = vs_py = ""
            if ceiling and label != "ceiling":
                share = f"{statistics.median(paired(label, 'ceiling', conns, 'rate') or [r['rate'] / ceiling['rate']]):.0%}"
                p99x = f"{statistics.median(paired(label, 'ceiling', conns, 'p99_us') or [r['p99_us'] / ceiling['p99_us']]):.2f}×"
            peer = median_run(PYTHON_PEER[label], conns) if label in PYTHON_PEER else None
            if peer:
                vs_py = f"{statistics.median(paired(label, PYTHON_PEER[label], conns, 'rate') or [r['rate'] / peer['rate']]):.1f}×"
            errors = int(sum(x["errors"] for x in runs[(label, conns)]))
            cpu = cpu_us(label, conns)
            cpu_text = f"{cpu:.0f} µs" if cpu else ""
            cpu_share = ""
            if cpu and label != "ceiling" and cpu_us("ceiling", conns):
                cpu_share = f"{cpu_us('ceiling', conns) / cpu:.0%}"
            w(f"| {LABELS[label]} | {conns} | {num(r['rate'])} | {us(r['p50_us'])} | {us(r['p99_us'])} | "
              f"{share} | {p99x} | {vs_py} | {cpu_text} | {cpu_share} | {errors} | {spread(label, conns)} |")
    w("")

    # --- Session setups ---------------------------------------------------------------------
    w("## Legacy session setups (initialize + notifications/initialized)")
    w("")
    w("| Server | conns | setups/s | p50 (per request) | p99 (per request) | errors | setups/s spread |")
    w("|---|---:|---:|---:|---:|---:|---:|")
    for conns in conns_list:
        for label in ("portico-setup", "python-setup"):
            r = median_run(label, conns)
            if r is None:
                continue
            errors = int(sum(x["errors"] for x in runs[(label, conns)]))
            w(f"| {LABELS[label]} | {conns} | {num(r['rate'])} | {us(r['p50_us'])} | {us(r['p99_us'])} | {errors} | {spread(label, conns)} |")
    w("")

    # --- Memory per idle session ------------------------------------------------------------
    w("## Memory per idle legacy session")
    w("")
    w("| Server | sessions | RSS before | RSS after | per session |")
    w("|---|---:|---:|---:|---:|")
    for label, name in (("portico", "Portico"), ("python-stateful", "Python SDK (stateful)")):
        m = sessmem.get(label)
        if m:
            w(f"| {name} | {num(m['sessions'])} | {num(m['rss_before_kb'])} kB | {num(m['rss_after_kb'])} kB | "
              f"{m['bytes_per_session'] / 1024:.2f} KB |")
    w("")

    # --- RSS flatness -----------------------------------------------------------------------
    warm = next((kb for phase, _, kb in rss if phase == "warm"), None)
    drift = None
    if warm:
        w("## Portico RSS over a long run")
        w("")
        w("RSS read from /proc/<pid>/status after a warm-up in both eras, then after each "
          "wrk run of the long loop (16 connections).")
        w("")
        w("| phase | calls in phase | RSS | vs after warm-up |")
        w("|---|---:|---:|---:|")
        w(f"| after warm-up | 0 | {num(warm)} kB | |")
        for phase, calls, kb in rss:
            if phase != "warm":
                w(f"| {phase} | {num(calls)} | {num(kb)} kB | {(kb - warm) / warm:+.1%} |")
        samples = [kb for phase, _, kb in rss if phase != "warm"]
        drift = max((abs(kb - warm) / warm for kb in samples), default=None)
        for mode, chunks in rss_runs.items():
            total = sum(c["requests"] for c in chunks)
            errors = int(sum(c["errors"] for c in chunks))
            rate = total / (sum(c["duration_us"] for c in chunks) / 1e6)
            w(f"\n{mode}: {num(total)} calls at {num(rate)} req/s on average, {errors} errors.")
        w("")

    # --- Targets ----------------------------------------------------------------------------
    w("## Targets")
    w("")
    w("| Target | Measured | Verdict |")
    w("|---|---|---|")
    for label in ("portico-modern", "portico-legacy"):
        name = "modern" if label == "portico-modern" else "legacy"
        for conns in conns_list:
            r, ceiling = median_run(label, conns), median_run("ceiling", conns)
            peer = median_run(PYTHON_PEER[label], conns)
            # With several rounds the verdict uses the median of the per-round ratios (each round
            # runs the servers back to back, so a slow drift of the machine's load cancels out);
            # with one round it is the ratio of that round.
            if r and ceiling:
                ratios = paired(label, "ceiling", conns, "rate") or [r["rate"] / ceiling["rate"]]
                share = statistics.median(ratios)
                gap = "" if share >= T_CEILING_SHARE else f"; gap {T_CEILING_SHARE - share:.0%} of the ceiling"
                cpu_mine, cpu_ceiling = cpu_us(label, conns), cpu_us("ceiling", conns)
                cpu_note = f"CPU share {cpu_ceiling / cpu_mine:.0%}" if cpu_mine and cpu_ceiling else ""
                w(f"| {name} c={conns}: req/s ≥ 70% of ceiling | {share:.0%} "
                  f"{paren('medians ' + num(r['rate']) + ' / ' + num(ceiling['rate']), paired_text(ratios, '{:.0%}'), cpu_note)}{gap} | {ok(share >= T_CEILING_SHARE)} |")
                ratios = paired(label, "ceiling", conns, "p99_us") or [r["p99_us"] / ceiling["p99_us"]]
                p99x = statistics.median(ratios)
                w(f"| {name} c={conns}: p99 ≤ 2× ceiling p99 | {p99x:.2f}× "
                  f"{paren('medians ' + us(r['p99_us']) + ' / ' + us(ceiling['p99_us']), paired_text(ratios, '{:.2f}×'))} | {ok(p99x <= T_P99_FACTOR)} |")
            if r and peer:
                ratios = paired(label, PYTHON_PEER[label], conns, "rate") or [r["rate"] / peer["rate"]]
                factor = statistics.median(ratios)
                gap = "" if factor >= T_PYTHON_FACTOR else f"; gap {T_PYTHON_FACTOR - factor:.1f}×"
                # For scale: how far ahead of this peer the bare framework itself is on this machine.
                ceiling_vs_peer = paired("ceiling", PYTHON_PEER[label], conns, "rate")
                if ceiling_vs_peer:
                    gap += f"; the ceiling itself is {statistics.median(ceiling_vs_peer):.1f}× this peer"
                w(f"| {name} c={conns}: req/s ≥ 10× Python SDK ({PYTHON_PEER[label].split('-')[1]}) | {factor:.1f}× "
                  f"{paren('medians ' + num(r['rate']) + ' / ' + num(peer['rate']), paired_text(ratios, '{:.1f}×'))}{gap} | {ok(factor >= T_PYTHON_FACTOR)} |")
    for conns in conns_list:
        r = median_run("portico-setup", conns)
        if r:
            # A setup is two requests: next to the ceiling's req/s/2, the most this machine allows.
            ceiling = median_run("ceiling", conns)
            context = f" (for scale: a setup is two requests; ceiling echo req/s ÷ 2 = {num(ceiling['rate'] / 2)})" if ceiling else ""
            gap = "" if r["rate"] >= T_SETUPS else f"; gap {num(T_SETUPS - r['rate'])}/s"
            w(f"| legacy session setups ≥ 10,000/s (c={conns}) | {num(r['rate'])}/s{context}{gap} | {ok(r['rate'] >= T_SETUPS)} |")
    if drift is not None:
        calls = max((c for p, c, _ in rss if p != "warm"), default=0)
        w(f"| RSS flat (±5%) over {num(calls)} calls per era | max drift {drift:.1%} from {num(warm)} kB | {ok(drift <= T_RSS_DRIFT)} |")
    m = sessmem.get("portico")
    if m:
        w(f"| ≤ 4 KB per idle legacy session | {m['bytes_per_session'] / 1024:.2f} KB | {ok(m['bytes_per_session'] <= T_SESSION_BYTES)} |")
    w("")
    if missing:
        w("Runs without a RESULT line (wrk failed or was cut short): " + ", ".join(missing))
        w("")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
