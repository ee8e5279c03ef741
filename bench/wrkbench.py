"""Shared pieces of the wrk benchmarks (bench/auth.py, bench/metrics.py): start pinned
`portico serve` processes from a config, drive one with bench/wrk/call.lua, stop them all.

Servers run on CPU 0 and wrk on CPU 1 (as bench/run.sh). Every wait has a deadline.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUICK = os.environ.get("QUICK") == "1"
DURATION = int(os.environ.get("DURATION", 3 if QUICK else 10))
WARMUP = int(os.environ.get("WARMUP", 1 if QUICK else 3))
ROUNDS = int(os.environ.get("ROUNDS", 1 if QUICK else 3))
CONNS = [int(c) for c in os.environ.get("CONNS", "16 64").split()]
BIN = Path(os.environ.get("PORTICO_BIN", ROOT / ".build/release/portico"))


def ensure_wrk() -> None:
    if shutil.which("wrk") is None:
        subprocess.run(["sh", "-c", "apt-get install -y -qq wrk >/dev/null"], check=True)


def start(config: dict, workdir: Path, name: str, extra_args: tuple[str, ...] = ()) -> tuple[subprocess.Popen, str]:
    """Starts `portico serve` with `config` on CPU 0; returns the process and its MCP URL."""
    path = workdir / f"{name}.json"  # JSON is YAML
    path.write_text(json.dumps(config))
    proc = subprocess.Popen(
        ["taskset", "-c", "0", str(BIN), "serve", "--config", str(path), "--port", "0", *extra_args],
        stdout=subprocess.PIPE, stderr=open(workdir / f"{name}.log", "w"), text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        match = re.search(r"(http://\S+)", line)
        if match:
            return proc, match.group(1)
    proc.kill()
    raise SystemExit(f"{name}: portico did not start (see {workdir / (name + '.log')})")


def stop(processes: list[subprocess.Popen]) -> None:
    for proc in processes:
        proc.terminate()
    for proc in processes:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def wrk(url: str, conns: int, seconds: int, authorization: str = "") -> dict:
    """One wrk run of tools/call echo at 2026-07-28; refuses a run with any bad reply."""
    env = dict(os.environ, MODE="modern", AUTHORIZATION=authorization)
    out = subprocess.run(
        ["taskset", "-c", "1", "wrk", "-t", "1", "-c", str(conns), "-d", f"{seconds}s", "--latency", "-s",
         str(ROOT / "bench/wrk/call.lua"), url],
        capture_output=True, text=True, env=env, timeout=seconds + 60)
    match = re.search(r"RESULT (.*)", out.stdout)
    if not match:
        raise SystemExit(f"wrk failed: {out.stdout}\n{out.stderr}")
    result = {k: float(v) for k, v in (pair.split("=") for pair in match.group(1).split())}
    if result["bad"] or result["status_errors"] or result["socket_errors"]:
        raise SystemExit(f"{url}: bad replies in a measured run: {result}\n{out.stderr[:500]}")
    return result


def rotating_rounds(names: list[str], urls: dict[str, str], authorization: dict[str, str] | None = None) -> dict:
    """ROUNDS rounds over CONNS, the order of `names` rotating per round; rows[(name, conns)] = [runs]."""
    rows = {(name, conns): [] for name in names for conns in CONNS}
    for round_index in range(ROUNDS):
        order = names[round_index % len(names):] + names[:round_index % len(names)]
        for conns in CONNS:
            for name in order:
                header = (authorization or {}).get(name, "")
                wrk(urls[name], conns, WARMUP, header)
                rows[(name, conns)].append(wrk(urls[name], conns, DURATION, header))
    return rows


def table(title: str, names: list[str], baseline: str, rows: dict, label: str) -> list[str]:
    """A markdown table: median req/s, p50, p99 and the median per-round ratio to `baseline`."""
    lines = [
        f"# {title} ({time.strftime('%Y-%m-%d %H:%M:%S')}, {ROUNDS} round(s) × {DURATION} s, server CPU 0, wrk CPU 1)",
        "",
        f"| conns | {label} | req/s (median) | p50 µs | p99 µs | ÷ {baseline} (median of rounds) |",
        "|---|---|---|---|---|---|",
    ]
    for conns in CONNS:
        for name in names:
            runs = rows[(name, conns)]
            rps = statistics.median(r["rps"] for r in runs)
            p50 = statistics.median(r["p50_us"] for r in runs)
            p99 = statistics.median(r["p99_us"] for r in runs)
            lines.append(f"| {conns} | {name} | {rps:,.0f} | {p50:.0f} | {p99:.0f} | {ratio(rows, name, baseline, conns):.3f} |")
    return lines


def ratio(rows: dict, name: str, baseline: str, conns: int) -> float:
    return statistics.median(r["rps"] / b["rps"] for r, b in zip(rows[(name, conns)], rows[(baseline, conns)]))


def save(report: str, prefix: str) -> None:
    results = ROOT / "bench/results"
    results.mkdir(exist_ok=True)
    (results / f"{prefix}-{time.strftime('%Y%m%d-%H%M%S')}.md").write_text(report)
    print(report)
