#!/usr/bin/env python3
"""Legacy (2025-11-25) session helper for bench/run.sh; standard library only, 127.0.0.1 only.

    sessions.py create PORT N
        Opens N initialized sessions and prints their ids, comma-separated (call.lua's SIDS).
    sessions.py rss PORT PID N [--warmup W]
        Opens W sessions first (allocator and dictionary warm-up, not counted), reads the server's
        VmRSS from /proc/PID/status, opens N more sessions and leaves them idle, reads VmRSS again,
        and prints one JSON object: sessions, rate, rss_before_kb, rss_after_kb, bytes_per_session.

Each session is initialize (200 + Mcp-Session-Id) then notifications/initialized (202), both on
one keep-alive connection. Any other reply aborts with a non-zero exit.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import time

PROTOCOL = "2025-11-25"
BASE_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
INITIALIZE = json.dumps({
    "jsonrpc": "2.0", "id": 1, "method": "initialize",
    "params": {"protocolVersion": PROTOCOL, "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}},
})
INITIALIZED = '{"jsonrpc":"2.0","method":"notifications/initialized"}'


class Client:
    def __init__(self, port: int, path: str) -> None:
        self.port, self.path = port, path
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def post(self, body: str, headers: dict[str, str]) -> http.client.HTTPResponse:
        self.conn.request("POST", self.path, body=body, headers=headers)
        response = self.conn.getresponse()
        response.read()
        return response

    def open_session(self) -> str:
        response = self.post(INITIALIZE, BASE_HEADERS)
        sid = response.getheader("Mcp-Session-Id")
        if response.status != 200 or not sid:
            raise SystemExit(f"initialize failed: HTTP {response.status}, session id {sid!r}")
        headers = dict(BASE_HEADERS, **{"Mcp-Session-Id": sid, "MCP-Protocol-Version": PROTOCOL})
        response = self.post(INITIALIZED, headers)
        if response.status != 202:
            raise SystemExit(f"notifications/initialized failed: HTTP {response.status}")
        return sid


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise SystemExit(f"no VmRSS for pid {pid}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--path", default="/mcp")
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create")
    create.add_argument("port", type=int)
    create.add_argument("count", type=int)
    rss = sub.add_parser("rss")
    rss.add_argument("port", type=int)
    rss.add_argument("pid", type=int)
    rss.add_argument("count", type=int)
    rss.add_argument("--warmup", type=int, default=200)
    args = parser.parse_args()

    client = Client(args.port, args.path)
    if args.command == "create":
        print(",".join(client.open_session() for _ in range(args.count)))
        return 0

    for _ in range(args.warmup):
        client.open_session()
    before = rss_kb(args.pid)
    started = time.perf_counter()
    for _ in range(args.count):
        client.open_session()
    elapsed = time.perf_counter() - started
    # The last reply has been read, so the server has finished creating every session: no wait needed.
    after = rss_kb(args.pid)
    print(json.dumps({
        "sessions": args.count,
        "rate": round(args.count / elapsed, 1),
        "rss_before_kb": before,
        "rss_after_kb": after,
        "bytes_per_session": round((after - before) * 1024 / args.count),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
