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


def settled_rss(pid: int, seconds: float = 10.0) -> int:
    """VmRSS once it stops falling (closed connections are torn down asynchronously)."""
    deadline = time.monotonic() + seconds
    last = rss_kb(pid)
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = rss_kb(pid)
        if now >= last:
            return now
        last = now
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--streams", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "portico.yaml")
        with open(config, "w") as f:
            f.write("limits:\n  max_sessions: 50000\nstreams:\n  max_listeners: 50000\n  keepalive_seconds: 15\n")
        server = subprocess.Popen([args.bin, "serve", "--config", config, "--fixture", "conformance", "--port", "0",
                                   "--log-level", "warning"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            line = server.stdout.readline().strip()
            if not line.startswith("listening "):
                raise SystemExit(f"server did not start: {line!r}")
            url = line.split(" ", 1)[1]
            port = int(url.rsplit(":", 1)[1].split("/", 1)[0])
            path = "/" + url.split("/", 3)[3]
            results = {"listen": bench_listen(port, path, server.pid, args.streams, args.rounds),
                       "get": bench_get(port, path, server.pid, args.streams)}
        finally:
            server.terminate()
            server.wait(timeout=15)
    print(json.dumps(results, indent=2))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
