#!/usr/bin/env python3
"""perf_attribute.py PERF_SCRIPT_OUTPUT: charges each perf sample to the innermost Portico frame.

`perf script` output (mangled names) in; prints two tables: samples charged to the innermost frame
of Portico's own modules (MCPCore, MCPHTTP, Portico, PorticoConfig), i.e. that function's own work
plus the runtime/library calls it makes directly; and, for samples with no Portico frame, the
innermost non-runtime frame (framework, kernel). Names are left mangled: pipe the output through
`swift-demangle --simplified`.

Async functions are resumed from the executor, so frame-pointer stacks stop at the current
async frame: the attribution is to the innermost Portico frame that is on the physical stack.
"""
import collections
import re
import sys

OWN = re.compile(r"^\$s(7MCPCore|7MCPHTTP|7Portico|13PorticoConfig)")
RUNTIME_DSOS = ("libswiftCore", "libswift_Concurrency", "libc.so", "ld-linux", "libdispatch", "libswiftSynchronization")


def samples(path):
    frames = []
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                if frames:
                    yield frames
                frames = []
                continue
            if line[0] not in " \t":
                frames = []  # a sample header line
                continue
            parts = line.strip().split(None, 1)
            if len(parts) < 2:
                continue
            rest = parts[1]
            m = re.match(r"(.*) \((.*)\)$", rest)
            sym, dso = (m.group(1), m.group(2)) if m else (rest, "")
            sym = re.sub(r"\+0x[0-9a-f]+$", "", sym)
            frames.append((sym, dso))
    if frames:
        yield frames


def main():
    own, other = collections.Counter(), collections.Counter()
    total = 0
    for frames in samples(sys.argv[1]):
        total += 1
        hit = next((s for s, _ in frames if OWN.match(s)), None)
        if hit:
            own[hit] += 1
            continue
        first = next((f"{s} [{d.rsplit('/', 1)[-1]}]" for s, d in frames if not any(r in d for r in RUNTIME_DSOS)), None)
        other[first or f"{frames[0][0]} [{frames[0][1].rsplit('/', 1)[-1]}]"] += 1
    n_own = sum(own.values())
    print(f"samples: {total}; with a Portico frame on the stack: {n_own} ({n_own / total:.1%})")
    print("\n== innermost Portico frame (its own work + direct runtime calls)")
    for sym, n in own.most_common(40):
        print(f"{n / total:7.2%}  {sym}")
    print("\n== no Portico frame: innermost non-runtime frame")
    for sym, n in other.most_common(25):
        print(f"{n / total:7.2%}  {sym}")


if __name__ == "__main__":
    main()
