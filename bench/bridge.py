#!/usr/bin/env python3
"""Stdio bridge benchmark: what Portico adds in front of a stdio MCP server, pool scaling, and
folder search, with every figure set against a peer or ceiling measured in the same run.

    .venv/bin/python bench/bridge.py          (`make bench-bridge`; QUICK=1 for a ~1 minute smoke run)

The stdio server is interop/bridge_fixture_server.py (official Python SDK, mcp 2.3.0, stdio).
Portico is a copy of .build/release/portico (one binary for the whole run, even if it is rebuilt
meanwhile), started with `serve --config FILE --port 0` on 127.0.0.1 and stopped with SIGTERM.
All clients are raw and tight: newline-delimited JSON-RPC on the child's pipes, or HTTP/1.1 on one
keep-alive socket per client with prebuilt request bytes (stateless 2026-07-28 style: `_meta`
protocolVersion/clientInfo/clientCapabilities, MCP-Protocol-Version, Mcp-Method, Mcp-Name), no
JSON parsing inside the timed section, GC off while timing.

1. latency  — one call at a time. Three paths, interleaved in blocks of BLOCK calls whose order
   rotates per block, ROUNDS rounds of CALLS calls per path after a warm-up:
     (a) direct:   tools/call echo {"text":"hi"} to a fixture child the bench spawned itself
                   (initialize 2025-11-25 + notifications/initialized first);
     (b) bridge:   tools/call fx_echo through Portico (stdio source `fx`, pool 1, prefix fx_);
     (c) baseline: tools/call echo of the demo pack (a Swift tool) on that same Portico.
     (d) waiting: the demo pack's slow_count with n 1, delay_ms WAIT_MS (2): a Swift tool that only
         awaits about as long as the child takes, to tell the bridge's own cost from what any
         call that waits costs (thread parking and wake-ups in the runtime and the event loop).
   Per round p50/p99; the table shows the median over rounds. "bridge added" = (b) − (a): all
   Portico adds, the HTTP hop included; "bridge only" = (b) − (a) − (c): what the bridge adds on top
   of serving a Swift tool over HTTP. Differences are taken per round, then the median. CPU/call =
   Portico's CPU time (user + system, /proc/<pid>/stat) during that path's blocks ÷ its calls.
2. pool     — fx_cpu(n), n calibrated on the direct child so one call takes ~CPU_MS ms, issued by
   CONC concurrent HTTP clients (each its own connection, a new call as soon as the last returns)
   for DURATION s after WARMUP s, against Portico with `pool: 1` and a second Portico with
   `pool: 2`. Ceiling, same run: the bench driving 1 and then 2 fixture children directly, one
   sequential client per child (a perfect scheduler, no Portico). Ratio = pool 2 ÷ pool 1 calls/s
   per round, median over rounds, next to the ceiling's own 2 ÷ 1 ratio. CPU columns are cores
   (CPU-seconds per second) of Portico, its children, the bench client, and everything else on
   the box, plus the hypervisor's steal, from /proc/stat.
3. search   — a deterministic corpus (FILES files of 1–4 KB, words drawn from a Zipf(1.0) law over
   a VOCAB-word synthetic vocabulary, in 100 subdirectories) published by a files source. Index
   build time = time from spawn to the `listening` line with the files source minus the same for
   the demo pack alone (the index is built before listening), starts interleaved, STARTS each,
   medians. Then, once Portico's CPU has settled (the watcher rescans right after listening),
   SEARCH_CALLS sequential `search` calls with 1–3-word queries drawn from the same law,
   interleaved in blocks with the demo echo on the same process: search's own cost = the
   difference of the two.

Writes bench/results/bridge-<timestamp>.md (and .json with the raw figures); prints the report.
Environment (defaults: full run, ~4–6 minutes): QUICK=1, ROUNDS (3), CALLS (2000), BLOCK (100), WAIT_MS (2),
CONC (6), DURATION (10), WARMUP (2), TP_ROUNDS (3), CPU_MS (30), FILES (10000), VOCAB (20000),
STARTS (3), SEARCH_CALLS (2000), PORTICO_BIN (.build/release/portico).
Every wait has a deadline; every process the bench starts is stopped at the end.
"""

from __future__ import annotations

import bisect
import gc
import json
import math
import os
import platform
import random
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv/bin/python")
FIXTURE = str(ROOT / "interop/bridge_fixture_server.py")
RESULTS = ROOT / "bench/results"
MODERN = "2026-07-28"
LEGACY = "2025-11-25"
CLK_TCK = os.sysconf("SC_CLK_TCK")
# What Portico's bridge declares in its initialize to a child, so the direct child is set up alike.
CHILD_CAPS = {"elicitation": {"form": {}}, "sampling": {}, "roots": {}}

QUICK = os.environ.get("QUICK") == "1"


def env_int(name: str, full: int, quick: int) -> int:
    return int(os.environ.get(name, quick if QUICK else full))


ROUNDS = env_int("ROUNDS", 3, 1)
CALLS = env_int("CALLS", 2000, 600)
BLOCK = env_int("BLOCK", 100, 100)
WAIT_MS = env_int("WAIT_MS", 2, 2)
LAT_WARMUP = env_int("LAT_WARMUP", 300, 100)
CONC = env_int("CONC", 6, 6)
DURATION = env_int("DURATION", 10, 3)
WARMUP = env_int("WARMUP", 2, 1)
TP_ROUNDS = env_int("TP_ROUNDS", 3, 1)
CPU_MS = env_int("CPU_MS", 30, 30)
FILES = env_int("FILES", 10000, 10000)
VOCAB = env_int("VOCAB", 20000, 20000)
STARTS = env_int("STARTS", 3, 1)
SEARCH_CALLS = env_int("SEARCH_CALLS", 2000, 600)
PORTICO_BIN = os.environ.get("PORTICO_BIN", str(ROOT / ".build/release/portico"))

START_DEADLINE = 90.0  # s from spawn to the listening line (a 10,000-file index included)
STOP_DEADLINE = 20.0   # s from SIGTERM to exit (drain_timeout_seconds is set to 2)


def log(message: str) -> None:
    print(f"[bench-bridge {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# /proc helpers
# --------------------------------------------------------------------------------------------

def cpu_ticks(pid: int) -> int:
    """utime + stime of one process (all its threads), in clock ticks; 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0


def children_of(pid: int) -> list[int]:
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
        if ppid == pid:
            kids.append(int(entry))
    return kids


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def proc_stat() -> tuple[int, int, int]:
    """(busy, total, steal) jiffies over all CPUs from /proc/stat's first line."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    total = sum(v[:8])
    return total - idle - v[7], total, v[7]


# --------------------------------------------------------------------------------------------
# Clients
# --------------------------------------------------------------------------------------------

def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summarize(samples_ns: list[int]) -> dict:
    s = sorted(x / 1000 for x in samples_ns)
    return {"n": len(s), "p50": statistics.median(s), "p99": percentile(s, 0.99)}


class BenchError(Exception):
    pass


class HttpClient:
    """One keep-alive HTTP/1.1 connection; tools/call with prebuilt bytes, 2026-07-28 stateless."""

    META = (b'"_meta":{"io.modelcontextprotocol/protocolVersion":"' + MODERN.encode() +
            b'","io.modelcontextprotocol/clientInfo":{"name":"bench","version":"1"},'
            b'"io.modelcontextprotocol/clientCapabilities":{}}')

    def __init__(self, port: int, path: str = "/mcp", timeout: float = 30.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
                     f"Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: {MODERN}\r\n"
                     f"Mcp-Method: tools/call\r\n").encode()
        self.buf = bytearray()

    def request_bytes(self, tool: str, arguments: dict, rid: int) -> bytes:
        body = (b'{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":' % rid +
                json.dumps(tool).encode() + b',"arguments":' + json.dumps(arguments, separators=(",", ":")).encode() +
                b"," + self.META + b"}}")
        return self.head + b"Mcp-Name: " + tool.encode() + b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body

    def roundtrip(self, request: bytes) -> tuple[int, bytes]:
        """Sends one request, returns (status, body). Content-Length responses only."""
        self.sock.sendall(request)
        buf = self.buf
        while True:
            end = buf.find(b"\r\n\r\n")
            if end >= 0:
                break
            chunk = self.sock.recv(65536)
            if not chunk:
                raise BenchError("connection closed by server")
            buf += chunk
        head = bytes(buf[:end])
        status = int(head[9:12])
        lower = head.lower()
        at = lower.find(b"\r\ncontent-length:")
        if at < 0:
            raise BenchError(f"response without Content-Length: {head[:300]!r}")
        eol = lower.find(b"\r\n", at + 2)
        length = int(lower[at + 17:eol if eol > 0 else len(lower)])
        need = end + 4 + length
        while len(buf) < need:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise BenchError("connection closed mid-body")
            buf += chunk
        body = bytes(buf[end + 4:need])
        del buf[:need]
        return status, body

    def close(self) -> None:
        self.sock.close()


class StdioChild:
    """The fixture server spawned by the bench, driven over its pipes (newline-delimited JSON-RPC)."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([PYTHON, FIXTURE], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, bufsize=0)
        self.wfd = self.proc.stdin.fileno()
        self.rfd = self.proc.stdout.fileno()
        self.buf = bytearray()
        self.rid = 0
        self.send({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": LEGACY, "capabilities": CHILD_CAPS, "clientInfo": {"name": "bench", "version": "1"}}})
        reply = json.loads(self.read_reply(0, deadline=time.monotonic() + 60))
        if "result" not in reply:
            raise BenchError(f"fixture initialize failed: {reply}")
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    @property
    def pid(self) -> int:
        return self.proc.pid

    def send(self, message: dict) -> None:
        os.write(self.wfd, json.dumps(message, separators=(",", ":")).encode() + b"\n")

    def request_bytes(self, tool: str, arguments: dict, rid: int) -> bytes:
        return (b'{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":' % rid + json.dumps(tool).encode() +
                b',"arguments":' + json.dumps(arguments, separators=(",", ":")).encode() + b"}}\n")

    def read_line(self, deadline: float | None = None) -> bytes:
        buf = self.buf
        while True:
            nl = buf.find(b"\n")
            if nl >= 0:
                line = bytes(buf[:nl])
                del buf[:nl + 1]
                return line
            if deadline is not None:
                ready, _, _ = select.select([self.rfd], [], [], max(0.0, deadline - time.monotonic()))
                if not ready:
                    raise BenchError("fixture child did not answer in time")
            chunk = os.read(self.rfd, 65536)
            if not chunk:
                raise BenchError("fixture child closed its stdout")
            buf += chunk

    def read_reply(self, rid: int, deadline: float | None = None) -> bytes:
        """Next line carrying this id (notifications or other lines are skipped)."""
        marker = b'"id":%d,' % rid
        marker_end = b'"id":%d}' % rid
        for _ in range(10000):
            line = self.read_line(deadline)
            if marker in line or marker_end in line:
                return line
        raise BenchError("no reply for id %d" % rid)

    def roundtrip(self, request: bytes, rid: int) -> bytes:
        os.write(self.wfd, request)
        return self.read_reply(rid)

    def call(self, tool: str, arguments: dict, timeout: float = 30.0) -> dict:
        self.rid += 1
        os.write(self.wfd, self.request_bytes(tool, arguments, self.rid))
        return json.loads(self.read_reply(self.rid, deadline=time.monotonic() + timeout))

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()  # the SDK exits on EOF
                self.proc.wait(timeout=5)
            except (subprocess.TimeoutExpired, OSError):
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=5)
        for stream in (self.proc.stdout,):
            try:
                stream.close()
            except OSError:
                pass


# --------------------------------------------------------------------------------------------
# Portico
# --------------------------------------------------------------------------------------------

class Portico:
    """`portico serve --config FILE --port 0`, own process group; `listening` line gives the port."""

    def __init__(self, binary: str, workdir: Path, label: str, config: str) -> None:
        self.label = label
        cfg = workdir / f"{label}.yaml"
        cfg.write_text(config)
        self.stderr_path = workdir / f"{label}.stderr"
        self.stderr = open(self.stderr_path, "wb")
        t0 = time.monotonic()
        self.proc = subprocess.Popen([binary, "serve", "--config", str(cfg), "--port", "0"],
                                     stdout=subprocess.PIPE, stderr=self.stderr, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        self.pid = self.proc.pid
        line = b""
        fd = self.proc.stdout.fileno()
        deadline = t0 + START_DEADLINE
        while b"\n" not in line:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([fd], [], [], max(0.0, remaining))
            if not ready:
                self.stop()
                raise BenchError(f"{label}: no listening line within {START_DEADLINE:.0f} s")
            chunk = os.read(fd, 4096)
            if not chunk:
                self.stop()
                raise BenchError(f"{label}: exited before listening: {self.stderr_path.read_text()[-2000:]}")
            line += chunk
        self.start_seconds = time.monotonic() - t0
        first = line.split(b"\n", 1)[0].decode()
        if not first.startswith("listening http://127.0.0.1:"):
            self.stop()
            raise BenchError(f"{label}: unexpected first line {first!r}")
        self.port = int(first.rsplit(":", 1)[1].split("/", 1)[0])
        # Drain anything else on stdout so a full pipe can never block the server.
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        try:
            while self.proc.stdout.read(4096):
                pass
        except (OSError, ValueError):
            pass

    def children(self) -> list[int]:
        return children_of(self.pid)

    def cpu(self) -> tuple[int, int]:
        """(own ticks, children's ticks)."""
        return cpu_ticks(self.pid), sum(cpu_ticks(k) for k in self.children())

    def stop(self) -> list[int]:
        """SIGTERM, wait; returns the pids of its children that outlived it (then killed)."""
        kids = self.children()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_DEADLINE)
            except subprocess.TimeoutExpired:
                log(f"{self.label}: still running {STOP_DEADLINE:.0f} s after SIGTERM; SIGKILL to its group")
                os.killpg(self.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        survivors = []
        deadline = time.monotonic() + 5
        for kid in kids:
            while time.monotonic() < deadline and os.path.exists(f"/proc/{kid}") and not _is_zombie(kid):
                time.sleep(0.05)
            if os.path.exists(f"/proc/{kid}") and not _is_zombie(kid):
                survivors.append(kid)
                try:
                    os.kill(kid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.stderr.close()
        return survivors


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def copy_binary(source: str, dest: Path) -> None:
    """One binary for the whole run; retries while a rebuild briefly removes it (bounded)."""
    deadline = time.monotonic() + 300
    while True:
        try:
            before = os.stat(source)
            shutil.copy2(source, dest)
            after = os.stat(source)
            if before.st_size == after.st_size == os.stat(dest).st_size and before.st_mtime == after.st_mtime:
                return
        except FileNotFoundError:
            pass
        if time.monotonic() > deadline:
            raise BenchError(f"{source} missing or changing for 300 s")
        log(f"{source} missing or being rewritten; retrying")
        time.sleep(3)


def base_config(extra: str = "", packs: str = "[demo]") -> str:
    return (f"server: {{drain_timeout_seconds: 2}}\nlogging: {{level: warning}}\ntools: {{packs: {packs}}}\n" + extra)


def stdio_config(pool: int) -> str:
    return base_config(
        "sources:\n  stdio:\n    - name: fx\n"
        f"      command: [{PYTHON}, {FIXTURE}]\n      pool: {pool}\n      prefix: fx_\n")


def files_config(root: Path) -> str:
    return base_config(f"sources:\n  files:\n    - name: docs\n      root: {root}\n")


# --------------------------------------------------------------------------------------------
# 1. Latency
# --------------------------------------------------------------------------------------------

def ok_echo(body: bytes) -> bool:
    return b'"hi"' in body and b'"result"' in body and b'"isError":true' not in body


def bench_latency(portico: Portico, child: StdioChild) -> dict:
    http = HttpClient(portico.port)
    rid = [0]
    args = {"text": "hi"}

    def call_direct() -> int:
        rid[0] += 1
        req = child.request_bytes("echo", args, rid[0])
        t0 = time.perf_counter_ns()
        line = child.roundtrip(req, rid[0])
        t1 = time.perf_counter_ns()
        if not ok_echo(line):
            raise BenchError(f"direct echo: {line[:300]!r}")
        return t1 - t0

    def http_caller(tool: str, arguments: dict = args, ok=ok_echo):
        def call() -> int:
            rid[0] += 1
            req = http.request_bytes(tool, arguments, rid[0])
            t0 = time.perf_counter_ns()
            status, body = http.roundtrip(req)
            t1 = time.perf_counter_ns()
            if status != 200 or not ok(body):
                raise BenchError(f"{tool}: {status} {body[:300]!r}")
            return t1 - t0
        return call

    # (d): a Swift tool that only awaits WAIT_MS, the peer for "a call that waits on something".
    waiting = http_caller("slow_count", {"n": 1, "delay_ms": WAIT_MS}, lambda body: b"counted to 1" in body)
    paths = {"direct": call_direct, "bridge": http_caller("fx_echo"), "baseline": http_caller("echo"), "waiting": waiting}
    for name, fn in paths.items():
        for _ in range(LAT_WARMUP):
            fn()
    rounds = []
    order = list(paths)
    for r in range(ROUNDS):
        samples: dict[str, list[int]] = {k: [] for k in paths}
        ticks = {k: 0 for k in paths}
        child_ticks = {k: 0 for k in paths}
        blocks = math.ceil(CALLS / BLOCK)
        gc.collect()
        gc.disable()
        try:
            for b in range(blocks):
                rot = (b + r) % len(order)
                for name in order[rot:] + order[:rot]:
                    fn = paths[name]
                    n = min(BLOCK, CALLS - b * BLOCK)
                    own0, kids0 = portico.cpu()
                    direct0 = cpu_ticks(child.pid)
                    out = samples[name]
                    for _ in range(n):
                        out.append(fn())
                    own1, kids1 = portico.cpu()
                    ticks[name] += own1 - own0
                    child_ticks[name] += (kids1 - kids0) if name != "direct" else cpu_ticks(child.pid) - direct0
        finally:
            gc.enable()
        result = {k: summarize(v) for k, v in samples.items()}
        for k in paths:
            result[k]["portico_cpu_us"] = ticks[k] * 1e6 / CLK_TCK / len(samples[k])
            result[k]["child_cpu_us"] = child_ticks[k] * 1e6 / CLK_TCK / len(samples[k])
        rounds.append(result)
        log(f"latency round {r + 1}/{ROUNDS}: " + ", ".join(
            f"{k} p50 {result[k]['p50']:.0f} µs p99 {result[k]['p99']:.0f} µs" for k in paths))
    http.close()
    return {"rounds": rounds, "calls_per_round": CALLS, "warmup": LAT_WARMUP, "block": BLOCK}


# --------------------------------------------------------------------------------------------
# 2. Pool throughput
# --------------------------------------------------------------------------------------------

def calibrate_cpu_n(child: StdioChild) -> tuple[int, float]:
    n = 200_000
    for _ in range(4):  # bounded: converge on CPU_MS
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            reply = child.call("cpu", {"n": n})
            times.append(time.perf_counter() - t0)
            if "result" not in reply:
                raise BenchError(f"cpu calibration: {reply}")
        ms = statistics.median(times) * 1000
        if 0.8 * CPU_MS <= ms <= 1.2 * CPU_MS:
            return n, ms
        n = max(10_000, int(round(n * CPU_MS / ms, -3)))
    return n, ms


def run_load(workers: list, seconds_warm: float, seconds: float) -> tuple[list[float], list[float], int]:
    """Runs each worker(stop_at, record) in a thread; returns completion times, latencies, errors."""
    start = time.monotonic()
    measure_from = start + seconds_warm
    stop_at = measure_from + seconds
    lock = threading.Lock()
    done: list[float] = []
    lat: list[float] = []
    errors = [0]
    failures: list[str] = []

    def record(t_end: float, latency: float, error: bool) -> None:
        with lock:
            if error:
                errors[0] += 1
            elif measure_from <= t_end <= stop_at:
                done.append(t_end)
                lat.append(latency)

    def guard(worker):
        try:
            worker(stop_at, record)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(repr(exc))

    threads = [threading.Thread(target=guard, args=(w,), daemon=True) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds_warm + seconds + 60)
        if t.is_alive():
            raise BenchError("a load thread did not finish")
    if failures:
        raise BenchError("load failed: " + "; ".join(failures[:3]))
    return done, lat, errors[0]


def portico_worker(port: int, n: int):
    def worker(stop_at: float, record) -> None:
        client = HttpClient(port, timeout=60)
        rid = 0
        try:
            for _ in range(1_000_000):
                if time.monotonic() >= stop_at:
                    break
                rid += 1
                req = client.request_bytes("fx_cpu", {"n": n}, rid)
                t0 = time.monotonic()
                status, body = client.roundtrip(req)
                t1 = time.monotonic()
                bad = status != 200 or b'"result"' not in body or b'"isError":true' in body
                record(t1, t1 - t0, bad)
        finally:
            client.close()
    return worker


def direct_worker(child: StdioChild, n: int):
    def worker(stop_at: float, record) -> None:
        for _ in range(1_000_000):
            if time.monotonic() >= stop_at:
                break
            child.rid += 1
            req = child.request_bytes("cpu", {"n": n}, child.rid)
            t0 = time.monotonic()
            line = child.roundtrip(req, child.rid)
            t1 = time.monotonic()
            record(t1, t1 - t0, b'"result"' not in line)
    return worker


def bench_pool(p1: Portico, p2: Portico, children: list[StdioChild], n: int) -> dict:
    configs = {
        "portico-pool1": (lambda: [portico_worker(p1.port, n) for _ in range(CONC)], p1),
        "portico-pool2": (lambda: [portico_worker(p2.port, n) for _ in range(CONC)], p2),
        "direct-1": (lambda: [direct_worker(children[0], n)], None),
        "direct-2": (lambda: [direct_worker(c, n) for c in children[:2]], None),
    }
    # Unmeasured warm-up of both Porticos: every pooled child starts answering.
    for label in ("portico-pool1", "portico-pool2"):
        make, _ = configs[label]
        run_load(make(), 0, 1.0 if QUICK else 2.0)
    rounds = []
    order = list(configs)
    for r in range(TP_ROUNDS):
        result = {}
        seq = order if r % 2 == 0 else order[::-1]
        for label in seq:
            make, portico = configs[label]
            direct_pids = [c.pid for c in children[:1 if label == "direct-1" else 2]]
            kid_pids = portico.children() if portico else direct_pids
            per_kid0 = [cpu_ticks(k) for k in kid_pids]
            own0, kids0 = (cpu_ticks(portico.pid) if portico else 0), sum(per_kid0)
            busy0, total0, steal0 = proc_stat()
            client0 = time.process_time()
            t0 = time.monotonic()
            done, lat, errors = run_load(make(), WARMUP, DURATION)
            elapsed = time.monotonic() - t0
            client_s = time.process_time() - client0
            busy1, total1, steal1 = proc_stat()
            per_kid1 = [cpu_ticks(k) for k in kid_pids]
            own1, kids1 = (cpu_ticks(portico.pid) if portico else 0), sum(per_kid1)
            per_kid = sorted(((b - a) / CLK_TCK / elapsed for a, b in zip(per_kid0, per_kid1)), reverse=True)
            wall_cores = (total1 - total0) / CLK_TCK / elapsed  # ≈ number of CPUs
            portico_cores = (own1 - own0) / CLK_TCK / elapsed
            kids_cores = (kids1 - kids0) / CLK_TCK / elapsed
            client_cores = client_s / elapsed
            busy_cores = (busy1 - busy0) / CLK_TCK / elapsed
            lat_sorted = sorted(x * 1000 for x in lat)
            result[label] = {
                "calls": len(done), "rate": len(done) / DURATION, "errors": errors,
                "p50_ms": statistics.median(lat_sorted) if lat_sorted else float("nan"),
                "p99_ms": percentile(lat_sorted, 0.99),
                "portico_cores": portico_cores, "children_cores": kids_cores, "client_cores": client_cores,
                "per_child_cores": per_kid,
                "busy_cores": busy_cores, "other_cores": busy_cores - portico_cores - kids_cores - client_cores,
                "steal_share": (steal1 - steal0) / max(1, total1 - total0), "cpus": wall_cores,
            }
            log(f"pool round {r + 1}/{TP_ROUNDS} {label}: {len(done) / DURATION:.1f} calls/s, "
                f"children {kids_cores:.2f} cores ({'/'.join(f'{x:.2f}' for x in per_kid)}), portico {portico_cores:.2f}, busy {busy_cores:.2f}, errors {errors}")
        rounds.append(result)
    return {"rounds": rounds, "n": n, "conc": CONC, "duration": DURATION, "warmup": WARMUP}


# --------------------------------------------------------------------------------------------
# 3. Search
# --------------------------------------------------------------------------------------------

SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]


def make_vocabulary(rng: random.Random, size: int) -> list[str]:
    words: list[str] = []
    seen: set[str] = set()
    for _ in range(size * 20):
        if len(words) >= size:
            break
        w = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((1, 2, 2, 3, 3, 3, 4))))
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


def zipf_cum_weights(size: int, s: float = 1.0) -> list[float]:
    cum, total = [], 0.0
    for rank in range(1, size + 1):
        total += 1.0 / rank ** s
        cum.append(total)
    return cum


def make_corpus(root: Path, files: int, vocab: list[str], cum: list[float], rng: random.Random) -> dict:
    total_bytes = 0
    top = cum[-1]
    for i in range(files):
        d = root / f"d{i % 100:02d}"
        if i < 100:
            d.mkdir(parents=True, exist_ok=True)
        target = rng.randint(1024, 4096)
        picks = [vocab[bisect.bisect(cum, rng.random() * top)] for _ in range(target // 4)]
        out, size, line = [], 0, 0
        for w in picks:
            if size + len(w) + 1 > target:
                break
            line += 1
            sep = "\n" if line % 12 == 0 else " "
            out.append(w + sep)
            size += len(w) + 1
        data = "".join(out).encode()
        (d / f"doc{i:05d}.txt").write_bytes(data)
        total_bytes += len(data)
    return {"files": files, "bytes": total_bytes, "dirs": min(100, files), "vocab": len(vocab)}


def wait_idle(portico: Portico, limit_s: float) -> float:
    """Waits (bounded) until Portico uses < 5% of a core over 0.5 s; returns the seconds waited."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit_s:
        a = cpu_ticks(portico.pid)
        time.sleep(0.5)
        if (cpu_ticks(portico.pid) - a) / CLK_TCK < 0.025:
            break
    return time.monotonic() - t0


def bench_search(binary: str, workdir: Path) -> dict:
    rng = random.Random(20261128)
    vocab = make_vocabulary(rng, VOCAB)
    cum = zipf_cum_weights(len(vocab))
    corpus_root = workdir / "corpus"
    t0 = time.monotonic()
    corpus = make_corpus(corpus_root, FILES, vocab, cum, rng)
    corpus["generate_s"] = time.monotonic() - t0
    log(f"corpus: {corpus['files']} files, {corpus['bytes'] / 1e6:.1f} MB in {corpus['generate_s']:.1f} s")

    starts = {"baseline": [], "files": []}
    rss = {"baseline": [], "files": []}
    portico = None
    for i in range(STARTS):
        base = Portico(binary, workdir, f"start-base-{i}", base_config())
        starts["baseline"].append(base.start_seconds)
        rss["baseline"].append(rss_kb(base.pid))
        base.stop()
        files = Portico(binary, workdir, f"start-files-{i}", files_config(corpus_root))
        starts["files"].append(files.start_seconds)
        rss["files"].append(rss_kb(files.pid))
        log(f"start {i + 1}/{STARTS}: baseline {base.start_seconds:.2f} s, files {files.start_seconds:.2f} s")
        if i == STARTS - 1:
            portico = files
        else:
            files.stop()
    assert portico is not None
    try:
        # The idle cost of the source right after listening: the watcher's first rescan, the
        # resource list sync; measured, then waited out so it does not land on the calls.
        own0 = cpu_ticks(portico.pid)
        settle_s = wait_idle(portico, 30.0)
        settle_cpu_s = (cpu_ticks(portico.pid) - own0) / CLK_TCK
        idle0 = cpu_ticks(portico.pid)
        idle_window = 1.0 if QUICK else 3.0
        time.sleep(idle_window)
        idle_cores = (cpu_ticks(portico.pid) - idle0) / CLK_TCK / idle_window
        rss_settled = rss_kb(portico.pid)

        http = HttpClient(portico.port)
        qrng = random.Random(7)

        def query() -> str:
            return " ".join(vocab[bisect.bisect(cum, qrng.random() * cum[-1])] for _ in range(qrng.randint(1, 3)))

        rid = [0]
        hits_total = [0]
        bytes_total = [0]

        def call(tool: str, arguments: dict, search: bool) -> int:
            rid[0] += 1
            req = http.request_bytes(tool, arguments, rid[0])
            t0 = time.perf_counter_ns()
            status, body = http.roundtrip(req)
            t1 = time.perf_counter_ns()
            if status != 200 or b'"result"' not in body or b'"isError":true' in body:
                raise BenchError(f"{tool}: {status} {body[:300]!r}")
            if search:
                hits_total[0] += body.count(b'\\"id\\"')
                bytes_total[0] += len(body)
            return t1 - t0

        warm = 50 if QUICK else 100
        for _ in range(warm):
            call("search", {"query": query()}, False)
            call("echo", {"text": "hi"}, False)
        queries = [query() for _ in range(SEARCH_CALLS)]
        samples = {"search": [], "echo": []}
        ticks = {"search": 0, "echo": 0}
        gc.collect()
        gc.disable()
        try:
            for b in range(math.ceil(SEARCH_CALLS / BLOCK)):
                chunk = queries[b * BLOCK:(b + 1) * BLOCK]
                for name in (("search", "echo") if b % 2 == 0 else ("echo", "search")):
                    a = cpu_ticks(portico.pid)
                    if name == "search":
                        for q in chunk:
                            samples["search"].append(call("search", {"query": q}, True))
                    else:
                        for _ in chunk:
                            samples["echo"].append(call("echo", {"text": "hi"}, False))
                    ticks[name] += cpu_ticks(portico.pid) - a
        finally:
            gc.enable()
        http.close()
        # One search answer kept for the report, to show the shape.
        sample_query = queries[0]
        result = {k: summarize(v) for k, v in samples.items()}
        for k in samples:
            result[k]["portico_cpu_us"] = ticks[k] * 1e6 / CLK_TCK / len(samples[k])
        log(f"search p50 {result['search']['p50']:.0f} µs p99 {result['search']['p99']:.0f} µs; "
            f"echo p50 {result['echo']['p50']:.0f} µs p99 {result['echo']['p99']:.0f} µs")
        return {
            "corpus": corpus, "starts": starts, "rss_kb": rss, "rss_settled_kb": rss_settled,
            "settle_s": settle_s, "settle_cpu_s": settle_cpu_s, "idle_cores": idle_cores,
            "latency": result, "calls": SEARCH_CALLS,
            "mean_hits": hits_total[0] / SEARCH_CALLS, "mean_bytes": bytes_total[0] / SEARCH_CALLS,
            "sample_query": sample_query, "survivors": portico.stop(),
        }
    except BaseException:
        portico.stop()
        raise


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------

def us(v: float) -> str:
    return f"{v / 1000:.2f} ms" if abs(v) >= 1000 else f"{v:.0f} µs"


def verdict(flag: bool) -> str:
    return "**met**" if flag else "**missed**"


def span(values: list[float], fmt) -> str:
    return f"{fmt(min(values))} … {fmt(max(values))}" if len(values) > 1 else ""


def report(meta: dict, lat: dict, pool: dict, search: dict) -> str:
    out: list[str] = []
    w = out.append
    w(f"# Portico stdio bridge benchmark — {meta['date']}")
    w("")
    w(f"- Machine: {meta['machine']}; load average before {meta['load_before']}, after {meta['load_after']}; "
      f"CPU time stolen by the hypervisor during the run: {meta['steal']:.1%}; other work on the box just before "
      f"the bench started: {meta['background_cores']:.2f} cores busy")
    w(f"- Portico {meta['portico']}; binary {meta['binary']}")
    w(f"- Stdio server: interop/bridge_fixture_server.py on {meta['python']}, mcp {meta['mcp']}")
    w(f"- Settings: {meta['settings']}")
    w("- Method: see the docstring of bench/bridge.py. All clients are raw (prebuilt request bytes, "
      "one keep-alive connection, no JSON parsing while timing).")
    w("")

    # --- 1 ---------------------------------------------------------------------------------
    rounds = lat["rounds"]
    med = lambda key, stat: statistics.median(r[key][stat] for r in rounds)  # noqa: E731
    w("## 1. Sequential tools/call latency (one call at a time)")
    w("")
    w(f"{ROUNDS} round(s) of {lat['calls_per_round']:,} calls per path after {lat['warmup']} warm-up calls each, "
      f"paths interleaved in blocks of {lat['block']}; p50/p99 per round, median over rounds (spread of the "
      "per-round p50 in the last column). Portico CPU/call: Portico's own CPU time during the path's blocks ÷ calls; "
      "child CPU/call: the fixture child's.")
    w("")
    w("| Path | p50 | p99 | Portico CPU/call | child CPU/call | p50 spread |")
    w("|---|---:|---:|---:|---:|---:|")
    names = {"direct": "(a) direct stdio to the fixture child (no Portico)",
             "bridge": "(b) Portico bridge: `fx_echo` over HTTP → stdio child",
             "baseline": "(c) Portico Swift `echo` over HTTP (no bridge)",
             "waiting": f"(d) Portico Swift tool awaiting {WAIT_MS} ms (`slow_count`), over HTTP"}
    for key, name in names.items():
        cpu = statistics.median(r[key]["portico_cpu_us"] for r in rounds)
        child = statistics.median(r[key]["child_cpu_us"] for r in rounds)
        w(f"| {name} | {us(med(key, 'p50'))} | {us(med(key, 'p99'))} | {us(cpu) if key != 'direct' else '—'} | "
          f"{us(child) if key in ('direct', 'bridge') else '—'} | {span([r[key]['p50'] for r in rounds], us)} |")
    w("")
    added = [r["bridge"]["p50"] - r["direct"]["p50"] for r in rounds]
    added99 = [r["bridge"]["p99"] - r["direct"]["p99"] for r in rounds]
    only = [r["bridge"]["p50"] - r["direct"]["p50"] - r["baseline"]["p50"] for r in rounds]
    ratio = [r["bridge"]["p50"] / r["direct"]["p50"] for r in rounds]
    bridge_cpu_extra = statistics.median(r["bridge"]["portico_cpu_us"] - r["baseline"]["portico_cpu_us"] for r in rounds)
    w("| Derived (per round, median over rounds) | p50 | per-round |")
    w("|---|---:|---:|")
    w(f"| bridge added = (b) − (a): everything Portico adds, HTTP hop included | {us(statistics.median(added))} | {span(added, us)} |")
    w(f"| same at p99 | {us(statistics.median(added99))} | {span(added99, us)} |")
    w(f"| bridge only = (b) − (a) − (c): beyond serving a Swift tool over HTTP | {us(statistics.median(only))} | {span(only, us)} |")
    w(f"| (b) ÷ (a) | {statistics.median(ratio):.2f}× | {span(ratio, lambda v: f'{v:.2f}×')} |")
    w(f"| Portico CPU/call, bridge − Swift echo | {us(bridge_cpu_extra)} | |")
    waiting_cpu = statistics.median(r["bridge"]["portico_cpu_us"] - r["waiting"]["portico_cpu_us"] for r in rounds)
    w(f"| Portico CPU/call, bridge − Swift tool awaiting {WAIT_MS} ms (any call that waits pays the wake-ups) | {us(waiting_cpu)} | |")
    around_wait = [r["waiting"]["p50"] - WAIT_MS * 1000 - r["baseline"]["p50"] for r in rounds]
    w(f"| (d) − {WAIT_MS} ms − (c): what Portico adds around an await, no bridge | {us(statistics.median(around_wait))} | {span(around_wait, us)} |")
    beyond_wait = [(r["bridge"]["p50"] - r["direct"]["p50"]) - (r["waiting"]["p50"] - WAIT_MS * 1000) for r in rounds]
    w(f"| ((b) − (a)) − ((d) − {WAIT_MS} ms): the bridge beyond any tool that awaits | {us(statistics.median(beyond_wait))} | {span(beyond_wait, us)} |")
    child_extra = [r["bridge"]["child_cpu_us"] - r["direct"]["child_cpu_us"] for r in rounds]
    w(f"| child CPU/call, bridged − direct (same requests on the pipe) | {us(statistics.median(child_extra))} | {span(child_extra, us)} |")
    w("")

    # --- 2 ---------------------------------------------------------------------------------
    w("## 2. Pool throughput: CPU-bound `cpu(n)` calls")
    w("")
    w(f"n = {pool['n']:,} (≈ {pool['cpu_ms']:.0f} ms per call on the direct child, idle, at calibration). "
      f"Portico: {pool['conc']} concurrent HTTP clients; direct: one sequential client per child. "
      f"{pool['warmup']} s warm-up + {pool['duration']} s measured per run, {len(pool['rounds'])} round(s), "
      "order reversed every other round; the table shows the median over rounds. Cores = CPU-seconds per second "
      "during the run (Portico process, its children or the directly driven children, this bench's client, "
      "everything else on the box); the machine has "
      f"{os.cpu_count()} CPUs.")
    w("")
    w("| Config | calls/s | per-round | p50 | p99 | children cores | per child | calls per child CPU-s | Portico cores | client cores | other cores | busy cores | steal | errors |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    labels = {"portico-pool1": "Portico `pool: 1`", "portico-pool2": "Portico `pool: 2`",
              "direct-1": "ceiling: 1 child driven directly", "direct-2": "ceiling: 2 children driven directly"}
    pr = pool["rounds"]
    for key, name in labels.items():
        m = lambda f: statistics.median(r[key][f] for r in pr)  # noqa: E731
        w(f"| {name} | {m('rate'):.1f} | {span([r[key]['rate'] for r in pr], lambda v: f'{v:.1f}')} | "
          f"{m('p50_ms'):.1f} ms | {m('p99_ms'):.1f} ms | {m('children_cores'):.2f} | "
          f"{' / '.join(f'{statistics.median(col):.2f}' for col in zip(*(r[key]['per_child_cores'] for r in pr)))} | "
          f"{statistics.median(r[key]['rate'] / r[key]['children_cores'] for r in pr if r[key]['children_cores']):.1f} | "
          f"{m('portico_cores'):.2f} | {m('client_cores'):.2f} | {m('other_cores'):.2f} | {m('busy_cores'):.2f} | "
          f"{m('steal_share'):.1%} | {sum(r[key]['errors'] for r in pr)} |")
    w("")
    p_ratio = [r["portico-pool2"]["rate"] / r["portico-pool1"]["rate"] for r in pr]
    c_ratio = [r["direct-2"]["rate"] / r["direct-1"]["rate"] for r in pr]
    eff1 = [r["portico-pool1"]["rate"] / r["direct-1"]["rate"] for r in pr]
    eff2 = [r["portico-pool2"]["rate"] / r["direct-2"]["rate"] for r in pr]
    w("With other work on the box, the children of a config get what CPU is left: \"calls per child CPU-s\" "
      "staying level across configs means each call costs the same and the calls/s ratio follows the CPU the "
      "children obtained (next table), not Portico's dispatch.")
    w("")
    w("| Ratio (per round, median) | value | per-round |")
    w("|---|---:|---:|")
    w(f"| Portico pool 2 ÷ pool 1 | {statistics.median(p_ratio):.2f}× | {span(p_ratio, lambda v: f'{v:.2f}×')} |")
    w(f"| ceiling: 2 children ÷ 1 child, direct | {statistics.median(c_ratio):.2f}× | {span(c_ratio, lambda v: f'{v:.2f}×')} |")
    got = [r["portico-pool2"]["children_cores"] / r["portico-pool1"]["children_cores"] for r in pr]
    w(f"| CPU the children obtained, Portico pool 2 ÷ pool 1 | {statistics.median(got):.2f}× | {span(got, lambda v: f'{v:.2f}×')} |")
    w(f"| Portico pool 1 ÷ direct 1 child | {statistics.median(eff1):.0%} | {span(eff1, lambda v: f'{v:.0%}')} |")
    w(f"| Portico pool 2 ÷ direct 2 children | {statistics.median(eff2):.0%} | {span(eff2, lambda v: f'{v:.0%}')} |")
    w("")

    # --- 3 ---------------------------------------------------------------------------------
    c = search["corpus"]
    st = search["starts"]
    build = [f - b for f, b in zip(st["files"], st["baseline"])]
    sl = search["latency"]
    w("## 3. Files source: index build and `search` over the corpus")
    w("")
    w(f"Corpus: {c['files']:,} files, {c['bytes'] / 1e6:.1f} MB, {c['dirs']} subdirectories, words drawn from a "
      f"Zipf(1.0) law over {c['vocab']:,} synthetic words (seed fixed; generated in {c['generate_s']:.1f} s, so the "
      f"files are in the page cache). {len(st['files'])} start(s) each, interleaved.")
    w("")
    w("| Start (spawn → `listening` line) | median | per start | RSS at listening |")
    w("|---|---:|---:|---:|")
    w(f"| demo pack only | {statistics.median(st['baseline']):.2f} s | {', '.join(f'{x:.2f}' for x in st['baseline'])} | "
      f"{statistics.median(search['rss_kb']['baseline']) / 1024:.0f} MB |")
    w(f"| demo pack + files source | {statistics.median(st['files']):.2f} s | {', '.join(f'{x:.2f}' for x in st['files'])} | "
      f"{statistics.median(search['rss_kb']['files']) / 1024:.0f} MB |")
    w(f"| **index build** (difference, per start pair) | **{statistics.median(build):.2f} s** | "
      f"{', '.join(f'{x:.2f}' for x in build)} | |")
    w("")
    w(f"After listening, Portico used {search['settle_cpu_s']:.2f} CPU-s over {search['settle_s']:.1f} s before "
      f"settling (first rescan, resource sync); then {search['idle_cores']:.1%} of a core idle; RSS "
      f"{search['rss_settled_kb'] / 1024:.0f} MB.")
    w("")
    w(f"{search['calls']:,} sequential calls each, search and echo interleaved in blocks of {BLOCK} on that process; "
      f"queries of 1–3 words from the same Zipf law (mean {search['mean_hits']:.1f} results, "
      f"{search['mean_bytes'] / 1024:.1f} KB per response).")
    w("")
    w("| Call | p50 | p99 | Portico CPU/call |")
    w("|---|---:|---:|---:|")
    w(f"| `search` (files source) | {us(sl['search']['p50'])} | {us(sl['search']['p99'])} | {us(sl['search']['portico_cpu_us'])} |")
    w(f"| `echo` (Swift, same process) | {us(sl['echo']['p50'])} | {us(sl['echo']['p99'])} | {us(sl['echo']['portico_cpu_us'])} |")
    w(f"| **search's own cost** (difference) | **{us(sl['search']['p50'] - sl['echo']['p50'])}** | "
      f"**{us(sl['search']['p99'] - sl['echo']['p99'])}** | {us(sl['search']['portico_cpu_us'] - sl['echo']['portico_cpu_us'])} |")
    w("")

    # --- Targets ---------------------------------------------------------------------------
    w("## Targets")
    w("")
    w("| Target | Measured | Verdict |")
    w("|---|---|---|")
    a, o = statistics.median(added), statistics.median(only)
    w(f"| Portico adds ≤ 100 µs at p50 — read as everything Portico adds, (b) − (a) | {us(a)} "
      f"(per round {span(added, us)}) | {verdict(a <= 100)} |")
    w(f"| Portico adds ≤ 100 µs at p50 — read as the bridge alone, (b) − (a) − (c) | {us(o)} "
      f"(per round {span(only, us)}) | {verdict(o <= 100)} |")
    pm, cm = statistics.median(p_ratio), statistics.median(c_ratio)
    w(f"| `pool: 2` ≥ 1.8× `pool: 1` calls/s on CPU-bound calls | {pm:.2f}× (ceiling on this box, same run: "
      f"{cm:.2f}×) | {verdict(pm >= 1.8)} |")
    w("")
    return "\n".join(out)


# --------------------------------------------------------------------------------------------

def machine() -> str:
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) // 1024
    return f"{os.cpu_count()} CPUs ({model}), {mem} MB RAM, Linux {platform.release()}"


def git(*args: str) -> str:
    try:
        return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def leftovers(workdir: Path, pids: list[int]) -> list[str]:
    """Processes still alive that this run started: our pids, or anything running our binary copy
    or the fixture script whose parent is this process or one of our pids."""
    found = []
    mine = set(pids) | {os.getpid()}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if fields[0] == "Z" or pid == os.getpid():
            continue
        if pid in mine or str(workdir) in cmd or (FIXTURE in cmd and int(fields[1]) in mine):
            found.append(f"{pid} {cmd.strip()}")
    return found


def main() -> int:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    workdir = Path(tempfile.mkdtemp(prefix="portico-bench-bridge-"))
    started: list[int] = []
    procs: list = []
    t_start = time.monotonic()
    busy0, total0, steal0 = proc_stat()
    time.sleep(1.0 if QUICK else 2.0)  # what the box does before the bench adds anything
    busy_b, total_b, _ = proc_stat()
    background = (busy_b - busy0) / max(1, total_b - total0) * (os.cpu_count() or 1)
    load_before = open("/proc/loadavg").read().split()[:3]
    try:
        binary = str(workdir / "portico")
        copy_binary(PORTICO_BIN, Path(binary))
        version = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30).stdout.strip() or "?"
        modified = ", Sources modified" if git("status", "--porcelain", "--", "Sources") else ""
        mcp_version = subprocess.run([PYTHON, "-c", "import importlib.metadata as m; print(m.version('mcp'))"],
                                     capture_output=True, text=True, timeout=60).stdout.strip()
        python_version = subprocess.run([PYTHON, "-c", "import platform; print('Python', platform.python_version())"],
                                        capture_output=True, text=True, timeout=60).stdout.strip()

        log("starting the direct fixture child and Portico (pool 1)")
        child = StdioChild()
        procs.append(child)
        started.append(child.pid)
        p1 = Portico(binary, workdir, "pool1", stdio_config(1))
        procs.append(p1)
        started.append(p1.pid)

        lat = bench_latency(p1, child)

        log("pool: calibrating cpu(n), starting Portico (pool 2) and a second direct child")
        n, ms = calibrate_cpu_n(child)
        child2 = StdioChild()
        procs.append(child2)
        started.append(child2.pid)
        p2 = Portico(binary, workdir, "pool2", stdio_config(2))
        procs.append(p2)
        started.append(p2.pid)
        started += p1.children() + p2.children()
        pool = bench_pool(p1, p2, [child, child2], n)
        pool["cpu_ms"] = ms
        survivors = []
        for p in (p1, p2):
            survivors += p.stop()
            procs.remove(p)
        for c in (child, child2):
            c.stop()
            procs.remove(c)

        log("search: generating the corpus")
        search = bench_search(binary, workdir)
        survivors += search["survivors"]

        busy1, total1, steal1 = proc_stat()
        meta = {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": machine(),
            "load_before": " ".join(load_before),
            "load_after": " ".join(open("/proc/loadavg").read().split()[:3]),
            "steal": (steal1 - steal0) / max(1, total1 - total0), "background_cores": background,
            "portico": f"{version} (commit {git('rev-parse', '--short', 'HEAD') or '?'}{modified})",
            "binary": f"{PORTICO_BIN}, built {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(os.stat(binary).st_mtime))} (run from a copy)",
            "python": python_version, "mcp": mcp_version,
            "settings": (f"QUICK={int(QUICK)} ROUNDS={ROUNDS} CALLS={CALLS} BLOCK={BLOCK} CONC={CONC} DURATION={DURATION}s "
                         f"WARMUP={WARMUP}s TP_ROUNDS={TP_ROUNDS} CPU_MS={CPU_MS} FILES={FILES} VOCAB={VOCAB} "
                         f"STARTS={STARTS} SEARCH_CALLS={SEARCH_CALLS}; total {time.monotonic() - t_start:.0f} s"),
        }
        text = report(meta, lat, pool, search)
        left = leftovers(workdir, started)
        text += "\n" + (f"Processes left behind: {left}\n" if left else "No process of this run is left running.\n")
        if survivors:
            text += f"\nChildren that outlived their Portico after SIGTERM (killed by the bench): {survivors}\n"
        md = RESULTS / f"bridge-{stamp}.md"
        md.write_text(text)
        (RESULTS / f"bridge-{stamp}.json").write_text(json.dumps(
            {"meta": meta, "latency": lat, "pool": pool, "search": search}, indent=1, default=str))
        print(text)
        log(f"report: {md}")
        return 0
    finally:
        for p in procs:
            try:
                p.stop()
            except Exception as exc:  # noqa: BLE001
                log(f"cleanup: {exc!r}")
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
