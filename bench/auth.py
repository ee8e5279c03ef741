#!/usr/bin/env python3
"""Authentication benchmark: tools/call/s with auth on versus off, measured in one run.

    .venv/bin/python bench/auth.py          (`make bench-auth`; QUICK=1 for a short smoke run)

Three `portico serve` processes of one binary, each on its own loopback port, all serving the demo
pack's echo tool at 2026-07-28 (stateless: every request carries its credential, so every request
is authenticated — the worst case; a legacy session authenticates every request too):
  off     auth disabled;
  apikey  auth on, `Authorization: Bearer pk_…` matched against one salted-hash API key;
  jwt     auth on, an RS256 access token from an issuer the bench serves itself on loopback
          (RFC 8414 metadata + JWKS, keys made by the bench with `cryptography`, token by PyJWT),
          with `required_scopes: [mcp]` and a rule on another tool, so the scope checks run too.
wrk (bench/wrk/call.lua, AUTHORIZATION set) drives each for DURATION s after WARMUP s at CONNS
connections, the server pinned to CPU 0 and wrk to CPU 1 (as bench/run.sh), ROUNDS rounds with
the order of the three rotating per round. Ratio = auth ÷ off req/s per round, median over rounds.
Target (issue 6): ≥ 0.80. Verified tokens are cached by a hash of the token, so after the first
request of a connection the cost is one SHA-256 and a lock per request.

Writes bench/results/auth-<timestamp>.md and prints it.
Environment: QUICK=1, DURATION (10), WARMUP (3), ROUNDS (3), CONNS ("16 64"), PORTICO_BIN.
Every wait has a deadline; every process the bench starts is stopped at the end.
"""

from __future__ import annotations

import base64
import http.server
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from wrkbench import BIN, CONNS, ensure_wrk, ratio, rotating_rounds, save, start, stop, table

RESOURCE = "http://127.0.0.1:1/mcp"  # an identifier only: the audience tokens carry


def b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class Issuer:
    """RFC 8414 metadata and a JWKS on 127.0.0.1, in a daemon thread."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        numbers = self.key.public_key().public_numbers()
        jwk = {"kty": "RSA", "kid": "bench", "use": "sig", "alg": "RS256", "n": b64url_uint(numbers.n), "e": b64url_uint(numbers.e)}
        issuer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                if self.path == "/.well-known/oauth-authorization-server":
                    body = {"issuer": issuer.url, "jwks_uri": issuer.url + "/jwks"}
                elif self.path == "/jwks":
                    body = {"keys": [jwk]}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self) -> str:
        now = int(time.time())
        claims = {"iss": self.url, "aud": RESOURCE, "sub": "bench-user", "scope": "mcp", "iat": now, "exp": now + 3600}
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "bench"})


def main() -> None:
    ensure_wrk()
    issuer = Issuer()
    key = subprocess.run([str(BIN), "auth", "new-key", "--name", "bench", "--scope", "mcp"], capture_output=True, text=True, check=True).stdout
    api_key = re.search(r"^key: (\S+)", key, re.M).group(1)
    api_hash = re.search(r'hash: "([^"]+)"', key).group(1)
    auth = {"enabled": True, "resource": RESOURCE, "required_scopes": ["mcp"], "rules": [{"tool": "add", "scopes": ["mcp:write"]}]}
    configs = {
        "off": ({}, ""),
        "apikey": ({"auth": auth | {"api_keys": [{"name": "bench", "hash": api_hash, "scopes": ["mcp"]}]}}, f"Bearer {api_key}"),
        "jwt": ({"auth": auth | {"issuers": [{"issuer": issuer.url}]}}, f"Bearer {issuer.token()}"),
    }
    workdir = Path(tempfile.mkdtemp(prefix="portico-bench-auth-"))
    servers = {}
    try:
        for name, (config, _) in configs.items():
            servers[name] = start(config | {"logging": {"level": "warning"}, "metrics": {"enabled": False}}, workdir, name)
        names = list(configs)
        rows = rotating_rounds(names, {name: url for name, (_, url) in servers.items()}, {name: header for name, (_, header) in configs.items()})
    finally:
        stop([proc for proc, _ in servers.values()])
        issuer.server.shutdown()

    lines = table("Auth benchmark", names, "off", rows, "auth")
    verdicts = [(name, conns, ratio(rows, name, "off", conns)) for conns in CONNS for name in names if name != "off"]
    lines += ["", "Target: authenticated ≥ 0.80 of unauthenticated. " + ", ".join(
        f"{name}@{conns}: {value:.2f} {'met' if value >= 0.8 else 'MISSED'}" for name, conns, value in verdicts)]
    save("\n".join(lines) + "\n", "auth")


if __name__ == "__main__":
    sys.exit(main())
