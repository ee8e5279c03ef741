#!/usr/bin/env python3
"""Metrics benchmark: tools/call/s with metrics on versus off, measured in one run.

    .venv/bin/python bench/metrics.py       (`make bench-metrics`; QUICK=1 for a short smoke run)

Three `portico serve` processes of one binary, each on its own loopback port, serving the demo
pack's echo tool at 2026-07-28:
  off      `metrics.enabled: false` (no handles, no clock reads);
  on       metrics on, its listener scraped once a second during every run (Prometheus scrapes
           every 15-60 s, so this is a harsher load than production);
  on+json  metrics on and scraped, plus the JSON log with one line per request (to a file).
wrk (bench/wrk/call.lua) drives each for DURATION s after WARMUP s at CONNS connections, the
server on CPU 0 and wrk on CPU 1, ROUNDS rounds with the order rotating per round. Ratio = on ÷
off req/s per round, median over rounds; also the server's CPU time per request (from
/proc/<pid>/stat), which the box's noise moves less than throughput. Only the server being
measured is scraped. Target (issue 7): metrics on ≥ 0.95 of off; exit status 1 when missed.

Writes bench/results/metrics-<timestamp>.md and prints it.
Environment: QUICK=1, DURATION (10), WARMUP (3), ROUNDS (3), CONNS ("16 64"), PORTICO_BIN.
"""

from __future__ import annotations

import os
import socket
import statistics
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path

from wrkbench import CONNS, DURATION, ROUNDS, WARMUP, ensure_wrk, ratio, save, start, stop, table, wrk


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Scraper:
    """GETs one metrics URL once a second in a daemon thread until stopped; counts scrapes."""

    def __init__(self, url: str | None) -> None:
        self.url = url
        self.done = threading.Event()
        self.scrapes = 0
        self.bytes = 0
        self.thread = threading.Thread(target=self.run, daemon=True)
        if url:
            self.thread.start()

    def run(self) -> None:
        while not self.done.wait(1.0):
            with urllib.request.urlopen(self.url, timeout=5) as response:
                self.bytes = len(response.read())
            self.scrapes += 1

    def stop(self) -> None:
        self.done.set()
        if self.url:
            self.thread.join(timeout=10)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    ensure_wrk()
    ports = {"on": free_port(), "on+json": free_port()}
    configs = {
        "off": {"metrics": {"enabled": False}, "logging": {"level": "warning"}},
        "on": {"metrics": {"port": ports["on"]}, "logging": {"level": "warning"}},
        "on+json": {"metrics": {"port": ports["on+json"]}, "logging": {"level": "info", "format": "json"}},
    }
    names = list(configs)
    workdir = Path(tempfile.mkdtemp(prefix="portico-bench-metrics-"))
    servers = {}
    rows = {(name, conns): [] for name in names for conns in CONNS}
    scrapes, exposition = 0, 0
    try:
        for name, config in configs.items():
            servers[name] = start(config, workdir, name)
        for round_index in range(ROUNDS):
            order = names[round_index % len(names):] + names[:round_index % len(names)]
            for conns in CONNS:
                for name in order:
                    proc, url = servers[name]
                    wrk(url, conns, WARMUP)
                    # Only the server being measured is scraped, so no run pays for another's scrapes.
                    scraper = Scraper(f"http://127.0.0.1:{ports[name]}/metrics" if name in ports else None)
                    before = cpu_seconds(proc.pid)
                    result = wrk(url, conns, DURATION)
                    result["cpu_us"] = (cpu_seconds(proc.pid) - before) / (result["rps"] * DURATION) * 1e6
                    scraper.stop()
                    scrapes += scraper.scrapes
                    exposition = max(exposition, scraper.bytes)
                    rows[(name, conns)].append(result)
    finally:
        stop([proc for proc, _ in servers.values()])

    lines = table("Metrics benchmark", names, "off", rows, "metrics")
    lines += ["", "| conns | server | CPU µs per request (median) | ÷ off |", "|---|---|---|---|"]
    for conns in CONNS:
        off = statistics.median(r["cpu_us"] for r in rows[("off", conns)])
        for name in names:
            cpu = statistics.median(r["cpu_us"] for r in rows[(name, conns)])
            lines.append(f"| {conns} | {name} | {cpu:.0f} | {cpu / off:.3f} |")
    verdicts = [(conns, ratio(rows, "on", "off", conns)) for conns in CONNS]
    lines += [
        "",
        f"Scrapes during the measured runs: {scrapes} (once a second, the measured server only), exposition {exposition:,} bytes.",
        "Target: metrics on ≥ 0.95 of off (req/s). " + ", ".join(
            f"on@{conns}: {value:.3f} {'met' if value >= 0.95 else 'MISSED'}" for conns, value in verdicts),
    ]
    save("\n".join(lines) + "\n", "metrics")
    return 0 if all(value >= 0.95 for _, value in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
