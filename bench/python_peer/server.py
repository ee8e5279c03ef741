#!/usr/bin/env python3
"""The Python SDK peer for bench/run.sh: the official `mcp` package serving one `echo` tool.

    server.py --port 18092                          # stateful: legacy sessions, SSE replies (SDK defaults)
    server.py --port 18093 --stateless --json       # stateless_http=True, json_response=True

Served by uvicorn on 127.0.0.1 only, access log off, with uvloop + httptools (the peer's best
shot; --plain: asyncio + h11, what `pip install mcp` alone gives). Prints
`listening http://127.0.0.1:PORT/mcp` on stdout once the socket accepts connections, the
same line Portico prints, so run.sh waits on both the same way. GET /healthz answers "ok".
"""

from __future__ import annotations

import argparse
import sys

import uvicorn
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from mcp.server.mcpserver import MCPServer


def build_app(stateless: bool, json_response: bool, max_sessions: int | None):
    server = MCPServer(name="python-peer", version="1", log_level="WARNING")

    @server.tool()
    def echo(text: str) -> str:
        """Echoes the text back."""
        return text

    @server.custom_route("/healthz", methods=["GET"])
    async def healthz(_: Request) -> Response:
        return PlainTextResponse("ok")

    return server.streamable_http_app(
        streamable_http_path="/mcp",
        stateless_http=stateless,
        json_response=json_response,
        max_sessions=max_sessions,
        host="127.0.0.1",
    )


class AnnouncingServer(uvicorn.Server):
    """uvicorn.Server that prints the `listening` line once startup (bind + lifespan) is done."""

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            print(f"listening http://127.0.0.1:{self.config.port}/mcp", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--stateless", action="store_true", help="stateless_http=True")
    parser.add_argument("--json", action="store_true", help="json_response=True")
    parser.add_argument("--max-sessions", type=int, default=10_000, help="0: no cap (the SDK's None)")
    parser.add_argument(
        "--plain", action="store_true",
        help="asyncio + h11 (what `pip install mcp` alone gives) instead of uvloop + httptools")
    args = parser.parse_args()

    app = build_app(args.stateless, args.json, args.max_sessions or None)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=args.port,
        loop="asyncio" if args.plain else "uvloop",
        http="h11" if args.plain else "httptools",
        lifespan="on",
        access_log=False,
        log_level="warning",
    )
    AnnouncingServer(config).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
