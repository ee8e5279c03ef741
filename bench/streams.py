#!/usr/bin/env python3
"""Long-lived stream benchmark: memory per open stream and list_changed fan-out latency.

    streams.py --bin .build/release/portico [--streams 10000] [--rounds 5] [--json FILE]

Starts `portico serve --fixture conformance` on 127.0.0.1 itself, then:

1. listen  — opens N `subscriptions/listen` streams (2026-07-28, toolsListChanged), each on its
   own socket, waits for every acknowledgement, and reads the server's VmRSS. Then `rounds` times:
   calls `test_trigger_tool_change` and times until every stream has its
   `notifications/tools/list_changed` (client clock, epoll over all sockets). Closes them all and
   reads VmRSS again once it settles.
2. get     — opens N legacy sessions (2025-11-25, initialize + initialized) and one GET stream on
   each, reads VmRSS, closes the streams and DELETEs the sessions, reads VmRSS again.

Per-stream memory = (RSS with streams - RSS idle) / N, the session included for GET. Idle is
measured after a warm-up of 200 streams opened and closed, so allocator growth that any first
use pays is not charged to the streams. Standard library only; every wait has a deadline.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import select
import socket
import statistics
import subprocess
import sys
import tempfile
import time

MODERN = "2026-07-28"
LEGACY = "2025-11-25"
META = {"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}}


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise SystemExit(f"no VmRSS for pid {pid}")


def settled_rss(pid: int, seconds: float = 15.0) -> int:
    """VmRSS once it has not fallen for 3 s (closed connections are torn down asynchronously,
    and the server returns freed memory on a one-second timer)."""
    deadline = time.monotonic() + seconds
    last, stable_since = rss_kb(pid), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = rss_kb(pid)
        if now < last:
            stable_since = time.monotonic()
        last = now
        if time.monotonic() - stable_since >= 3.0:
            break
    return last


def http_request(method: str, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def listen_request(path: str, rid: int) -> bytes:
    body = json.dumps({"jsonrpc": "2.0", "id": rid, "method": "subscriptions/listen",
                       "params": {"_meta": META, "notifications": {"toolsListChanged": True}}}).encode()
    return http_request("POST", path, body, {
        "Content-Type": "application/json", "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": MODERN, "Mcp-Method": "subscriptions/listen"})


def call_request(path: str, tool: str, rid: int) -> bytes:
    body = json.dumps({"jsonrpc": "2.0", "id": rid, "method": "tools/call",
                       "params": {"_meta": META, "name": tool, "arguments": {}}}).encode()
    return http_request("POST", path, body, {
        "Content-Type": "application/json", "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/call", "Mcp-Name": tool, "Connection": "close"})


class Streams:
    """N sockets each carrying one long-lived SSE response, read through one epoll."""

    def __init__(self) -> None:
        self.epoll = select.epoll()
        self.sockets: dict[int, socket.socket] = {}
        self.buffers: dict[int, bytearray] = {}

    def open(self, port: int, request: bytes) -> None:
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(request)
        sock.setblocking(False)
        fd = sock.fileno()
        self.sockets[fd] = sock
        self.buffers[fd] = bytearray()
        self.epoll.register(fd, select.EPOLLIN)

    def wait_all(self, needle: bytes, deadline: float, fds: set[int] | None = None) -> float:
        """Reads until every socket's buffer holds `needle`; returns the monotonic time it happened."""
        pending = set(fds if fds is not None else self.sockets) - {fd for fd, b in self.buffers.items() if needle in b}
        while pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SystemExit(f"{len(pending)} of {len(self.sockets)} streams never received {needle!r}")
            for fd, _ in self.epoll.poll(min(remaining, 1.0), 4096):
                try:
                    chunk = self.sockets[fd].recv(65536)
                except BlockingIOError:
                    continue
                if not chunk:
                    raise SystemExit(f"a stream closed early: {bytes(self.buffers[fd][-300:])!r}")
                self.buffers[fd] += chunk
                if fd in pending and needle in self.buffers[fd]:
                    pending.discard(fd)
        return time.monotonic()

    def clear(self) -> None:
        for buffer in self.buffers.values():
            buffer.clear()

    def close(self) -> None:
        for fd, sock in self.sockets.items():
            self.epoll.unregister(fd)
            sock.close()
        self.sockets.clear()
        self.buffers.clear()


def post_json(port: int, path: str, body: dict, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", path, body=json.dumps(body), headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def open_listeners(port: int, path: str, count: int) -> Streams:
    streams = Streams()
    for index in range(count):
        streams.open(port, listen_request(path, index + 1))
        if index % 500 == 499:  # keep the accept backlog short
            streams.wait_all(b"subscriptions/acknowledged", time.monotonic() + 60)
    streams.wait_all(b"subscriptions/acknowledged", time.monotonic() + 60)
    return streams


def bench_listen(port: int, path: str, pid: int, count: int, rounds: int) -> dict:
    warm = open_listeners(port, path, 200)
    warm.close()
    idle = settled_rss(pid)
    started = time.monotonic()
    streams = open_listeners(port, path, count)
    opened_s = time.monotonic() - started
    with_streams = rss_kb(pid)
    fanout_ms: list[float] = []
    for _ in range(rounds):
        streams.clear()
        trigger = socket.create_connection(("127.0.0.1", port), timeout=10)
        t0 = time.monotonic()
        trigger.sendall(call_request(path, "test_trigger_tool_change", 1))
        done = streams.wait_all(b"tools/list_changed", time.monotonic() + 30)
        fanout_ms.append((done - t0) * 1000)
        trigger.close()
    # The client's own floor: reading one small frame from every socket when all are already readable.
    streams.clear()
    trigger = socket.create_connection(("127.0.0.1", port), timeout=10)
    trigger.sendall(call_request(path, "test_trigger_tool_change", 1))
    time.sleep(1.0)  # let every frame arrive; only the read loop below is timed
    t0 = time.monotonic()
    floor_done = streams.wait_all(b"tools/list_changed", time.monotonic() + 30)
    client_floor_ms = (floor_done - t0) * 1000
    trigger.close()
    streams.close()
    after = settled_rss(pid)
    return {
        "streams": count, "open_seconds": round(opened_s, 2),
        "rss_idle_kb": idle, "rss_with_streams_kb": with_streams, "rss_after_close_kb": after,
        "bytes_per_stream": round((with_streams - idle) * 1024 / count),
        "after_close_vs_idle": round(after / idle, 3),
        "fanout_ms": [round(x, 1) for x in fanout_ms], "fanout_median_ms": round(statistics.median(fanout_ms), 1),
        "client_read_floor_ms": round(client_floor_ms, 1),
    }


def open_sessions(port: int, path: str, count: int) -> list[str]:
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    base = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    ids = []
    for _ in range(count):
        conn.request("POST", path, body=json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": LEGACY, "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}}), headers=base)
        response = conn.getresponse()
        response.read()
        sid = response.getheader("Mcp-Session-Id")
        if response.status != 200 or not sid:
            raise SystemExit(f"initialize: HTTP {response.status}")
        headers = dict(base, **{"Mcp-Session-Id": sid, "MCP-Protocol-Version": LEGACY})
        conn.request("POST", path, body='{"jsonrpc":"2.0","method":"notifications/initialized"}', headers=headers)
        conn.getresponse().read()
        ids.append(sid)
    conn.close()
    return ids


def delete_sessions(port: int, path: str, ids: list[str]) -> None:
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for sid in ids:
        conn.request("DELETE", path, headers={"Mcp-Session-Id": sid, "MCP-Protocol-Version": LEGACY})
        conn.getresponse().read()
    conn.close()


def open_gets(port: int, path: str, ids: list[str]) -> Streams:
    streams = Streams()
    for index, sid in enumerate(ids):
        streams.open(port, http_request("GET", path, b"", {
            "Accept": "text/event-stream", "Mcp-Session-Id": sid, "MCP-Protocol-Version": LEGACY}))
        if index % 500 == 499:
            streams.wait_all(b"retry:", time.monotonic() + 60)
    streams.wait_all(b"retry:", time.monotonic() + 60)
    return streams


def bench_get(port: int, path: str, pid: int, count: int) -> dict:
    warm_ids = open_sessions(port, path, 200)
    open_gets(port, path, warm_ids).close()
    delete_sessions(port, path, warm_ids)
    idle = settled_rss(pid)
    started = time.monotonic()
    ids = open_sessions(port, path, count)
    with_sessions = rss_kb(pid)
    streams = open_gets(port, path, ids)
    opened_s = time.monotonic() - started
    with_streams = rss_kb(pid)
    streams.close()
    delete_sessions(port, path, ids)
    after = settled_rss(pid)
    return {
        "streams": count, "open_seconds": round(opened_s, 2),
        "rss_idle_kb": idle, "rss_with_sessions_kb": with_sessions, "rss_with_streams_kb": with_streams,
        "rss_after_close_kb": after,
        "bytes_per_stream_with_session": round((with_streams - idle) * 1024 / count),
        "bytes_per_session": round((with_sessions - idle) * 1024 / count),
        "after_close_vs_idle": round(after / idle, 3),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A server process that prints `listening <url>` once it accepts connections."""

    def __init__(self, argv: list[str], env: dict[str, str] | None = None, log: str | None = None) -> None:
        self.log = log
        stderr = open(log, "w") if log else subprocess.DEVNULL
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=stderr, text=True,
                                        env=dict(os.environ, **(env or {})))
        line = self.process.stdout.readline().strip()
        if not line.startswith("listening "):
            self.stop()
            raise SystemExit(f"{argv[0]} did not start: {line!r}")
        url = line.split(" ", 1)[1]
        self.port = int(url.rsplit(":", 1)[1].split("/", 1)[0])
        self.path = "/" + url.split("/", 3)[3]
        self.pid = self.process.pid

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--ceiling", help="bench/ceiling binary: the same listen phase against bare Hummingbird")
    parser.add_argument("--streams", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json")
    parser.add_argument("--phases", default="listen,get", help="comma-separated: listen, get")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the server processes (e.g. MALLOC_ARENA_MAX=2)")
    args = parser.parse_args()
    env = dict(item.split("=", 1) for item in args.env)

    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "portico.yaml")
        with open(config, "w") as f:
            f.write("limits:\n  max_sessions: 50000\nstreams:\n  max_listeners: 50000\n  keepalive_seconds: 15\n")
        # Debug level only for the line the server logs per fan-out (the requests here log nothing at debug).
        portico = [args.bin, "serve", "--config", config, "--fixture", "conformance", "--port", "0", "--log-level", "debug"]
        # Each phase in a fresh process, so one phase's freed memory cannot hide the next one's cost.
        phases = {"listen": lambda s: bench_listen(s.port, s.path, s.pid, args.streams, args.rounds),
                  "get": lambda s: bench_get(s.port, s.path, s.pid, args.streams)}
        for name in args.phases.split(","):
            run = phases[name]
            server = Server(portico, env, log=os.path.join(tmp, f"{name}.log"))
            try:
                results[name] = run(server)
            finally:
                server.stop()
            if name == "listen":
                # The server's own share: queueing the notification on every stream (before any socket write).
                with open(server.log) as log:
                    queued = [int(m.group(2)) for m in re.finditer(r"listeners=(\d+) .*?microseconds=(\d+)", log.read())
                              if int(m.group(1)) > 0]
                results[name]["server_queue_us"] = queued
                results[name]["server_queue_median_ms"] = round(statistics.median(queued) / 1000, 2) if queued else None
        if args.ceiling:
            server = Server([args.ceiling, str(free_port())], env)
            try:
                results["ceiling_listen"] = bench_listen(server.port, server.path, server.pid, args.streams, args.rounds)
            finally:
                server.stop()
    if "ceiling_listen" in results and "listen" in results:
        ours, ceiling = results["listen"], results["ceiling_listen"]
        results["ratios"] = {
            "listen_bytes_per_stream_vs_ceiling": round(ours["bytes_per_stream"] / max(1, ceiling["bytes_per_stream"]), 2),
            "fanout_median_vs_ceiling": round(ours["fanout_median_ms"] / max(0.1, ceiling["fanout_median_ms"]), 2),
        }
    print(json.dumps(results, indent=2))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
