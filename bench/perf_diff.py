#!/usr/bin/env python3
"""perf_diff.py CEILING_PROFILE_DIR PORTICO_PROFILE_DIR [TOP]: where Portico's extra CPU per request goes.

Both folders come from bench/profile.sh (TARGET=ceiling, and Portico under the same load). Each
profile's samples are turned into CPU µs per request (samples ÷ frequency ÷ requests), so two runs
that served different request counts compare fairly. Prints the per-request total of each, then:
  1. self time per symbol, Portico minus ceiling (the runtime and libc rows show how much more
     retain/release, malloc and metadata work Portico's requests cause);
  2. Portico's own frames (perf_attribute.py): the µs per request charged to the innermost frame
     of MCPCore / MCPHTTP / Portico, with the direct callees that dominate it.
Names are mangled; pipe through `swift-demangle --simplified`.
"""

from __future__ import annotations

import collections
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import perf_attribute  # noqa: E402

FREQ_RE = re.compile(r"-F\s+(\d+)|FREQ=(\d+)")


def requests_of(folder: str) -> int:
    with open(os.path.join(folder, "wrk.txt")) as f:
        text = f.read()
    m = re.search(r"(?:RESULT|SETUPS) .*?requests=(\d+)", text)
    if not m:
        raise SystemExit(f"{folder}: no RESULT/SETUPS line in wrk.txt")
    return int(m.group(1))


def self_samples(folder: str) -> collections.Counter:
    counts: collections.Counter = collections.Counter()
    for frames in perf_attribute.samples(os.path.join(folder, "perf-script.txt")):
        counts[frames[0][0]] += 1
    return counts


def main() -> int:
    ceiling_dir, portico_dir = sys.argv[1], sys.argv[2]
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    freq = float(os.environ.get("FREQ", "1999"))

    c_req, p_req = requests_of(ceiling_dir), requests_of(portico_dir)
    c_self, p_self = self_samples(ceiling_dir), self_samples(portico_dir)
    c_us = sum(c_self.values()) / freq / c_req * 1e6
    p_us = sum(p_self.values()) / freq / p_req * 1e6
    print(f"CPU per request: ceiling {c_us:.1f} µs, Portico {p_us:.1f} µs, extra {p_us - c_us:.1f} µs "
          f"(Portico at {c_us / p_us:.0%} of the ceiling's efficiency)")

    def per_req(n: int, req: int) -> float:
        return n / freq / req * 1e6

    print(f"\n== 1. self time, extra µs per request (Portico − ceiling), top {top}")
    rows = []
    for sym in set(c_self) | set(p_self):
        p, c = per_req(p_self.get(sym, 0), p_req), per_req(c_self.get(sym, 0), c_req)
        rows.append((p - c, p, c, sym))
    rows.sort(reverse=True)
    print(f"{'extra':>7} {'portico':>8} {'ceiling':>8}  symbol")
    for d, p, c, sym in rows[:top]:
        print(f"{d:7.2f} {p:8.2f} {c:8.2f}  {sym}")

    print(f"\n== 2. Portico's own frames: µs per request charged to the innermost one, top {top}")
    own: collections.Counter = collections.Counter()
    callees: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for frames in perf_attribute.samples(os.path.join(portico_dir, "perf-script.txt")):
        idx = next((i for i, (s, _) in enumerate(frames) if perf_attribute.OWN.match(s)), None)
        if idx is None:
            continue
        sym = frames[idx][0]
        own[sym] += 1
        callees[sym][frames[idx - 1][0] if idx > 0 else "(self)"] += 1
    total_own = sum(own.values())
    print(f"all own frames: {per_req(total_own, p_req):.1f} µs per request")
    for sym, n in own.most_common(top):
        main_callees = ", ".join(f"{c} {per_req(k, p_req):.1f}" for c, k in callees[sym].most_common(3))
        print(f"{per_req(n, p_req):6.2f}  {sym}\n          ← {main_callees}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
