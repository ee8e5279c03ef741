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
off req/s per round, median over rounds. Target (issue 7): metrics on ≥ 0.95 of off.

Writes bench/results/metrics-<timestamp>.md and prints it.
Environment: QUICK=1, DURATION (10), WARMUP (3), ROUNDS (3), CONNS ("16 64"), PORTICO_BIN.
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path

from wrkbench import CONNS, ensure_wrk, ratio, rotating_rounds, save, start, stop, table


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Scraper:
    """GETs each metrics URL once a second in a daemon thread until stopped; counts scrapes."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls
        self.done = threading.Event()
        self.scrapes = 0
        self.bytes = 0
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.done.wait(1.0):
            for url in self.urls:
                with urllib.request.urlopen(url, timeout=5) as response:
                    self.bytes = len(response.read())
                self.scrapes += 1

    def stop(self) -> None:
        self.done.set()
        self.thread.join(timeout=10)


def main() -> None:
    ensure_wrk()
    ports = {"on": free_port(), "on+json": free_port()}
    configs = {
        "off": {"metrics": {"enabled": False}, "logging": {"level": "warning"}},
        "on": {"metrics": {"port": ports["on"]}, "logging": {"level": "warning"}},
        "on+json": {"metrics": {"port": ports["on+json"]}, "logging": {"level": "info", "format": "json"}},
    }
    workdir = Path(tempfile.mkdtemp(prefix="portico-bench-metrics-"))
    servers = {}
    scraper = None
    try:
        for name, config in configs.items():
            servers[name] = start(config, workdir, name)
        scraper = Scraper([f"http://127.0.0.1:{port}/metrics" for port in ports.values()])
        names = list(configs)
        rows = rotating_rounds(names, {name: url for name, (_, url) in servers.items()})
    finally:
        if scraper:
            scraper.stop()
        stop([proc for proc, _ in servers.values()])

    lines = table("Metrics benchmark", names, "off", rows, "metrics")
    verdicts = [(conns, ratio(rows, "on", "off", conns)) for conns in CONNS]
    lines += [
        "",
        f"Scrapes during the runs: {scraper.scrapes} (one per second per server), last exposition {scraper.bytes:,} bytes.",
        "Target: metrics on ≥ 0.95 of off. " + ", ".join(
            f"on@{conns}: {value:.3f} {'met' if value >= 0.95 else 'MISSED'}" for conns, value in verdicts),
    ]
    save("\n".join(lines) + "\n", "metrics")


if __name__ == "__main__":
    sys.exit(main())
