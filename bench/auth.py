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
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parent.parent
QUICK = os.environ.get("QUICK") == "1"
DURATION = int(os.environ.get("DURATION", 3 if QUICK else 10))
WARMUP = int(os.environ.get("WARMUP", 1 if QUICK else 3))
ROUNDS = int(os.environ.get("ROUNDS", 1 if QUICK else 3))
CONNS = [int(c) for c in os.environ.get("CONNS", "16 64").split()]
BIN = Path(os.environ.get("PORTICO_BIN", ROOT / ".build/release/portico"))
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


def start(config: dict, workdir: Path, name: str) -> tuple[subprocess.Popen, str]:
    path = workdir / f"{name}.json"  # JSON is YAML
    path.write_text(json.dumps(config))
    proc = subprocess.Popen(
        ["taskset", "-c", "0", str(BIN), "serve", "--config", str(path), "--port", "0"],
        stdout=subprocess.PIPE, stderr=open(workdir / f"{name}.log", "w"), text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        match = re.search(r"(http://\S+)", line)
        if match:
            return proc, match.group(1)
    proc.kill()
    raise SystemExit(f"{name}: portico did not start (see {workdir / (name + '.log')})")


def wrk(url: str, conns: int, seconds: int, authorization: str) -> dict:
    env = dict(os.environ, MODE="modern", AUTHORIZATION=authorization)
    out = subprocess.run(
        ["taskset", "-c", "1", "wrk", "-t", "1", "-c", str(conns), "-d", f"{seconds}s", "--latency", "-s",
         str(ROOT / "bench/wrk/call.lua"), url],
        capture_output=True, text=True, env=env, timeout=seconds + 60)
    match = re.search(r"RESULT (.*)", out.stdout)
    if not match:
        raise SystemExit(f"wrk failed: {out.stdout}\n{out.stderr}")
    result = {k: float(v) for k, v in (pair.split("=") for pair in match.group(1).split())}
    if result["bad"] or result["status_errors"] or result["socket_errors"]:
        raise SystemExit(f"{url}: bad replies in a measured run: {result}\n{out.stderr[:500]}")
    return result


def main() -> None:
    if shutil.which("wrk") is None:
        subprocess.run(["sh", "-c", "apt-get install -y -qq wrk >/dev/null"], check=True)
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
            servers[name] = start(config | {"logging": {"level": "warning"}}, workdir, name)
        rows = {(name, conns): [] for name in configs for conns in CONNS}
        for round_index in range(ROUNDS):
            order = list(configs)
            order = order[round_index % len(order):] + order[:round_index % len(order)]
            for conns in CONNS:
                for name in order:
                    url, authorization = servers[name][1], configs[name][1]
                    wrk(url, conns, WARMUP, authorization)
                    rows[(name, conns)].append(wrk(url, conns, DURATION, authorization))
    finally:
        for proc, _ in servers.values():
            proc.terminate()
        for proc, _ in servers.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        issuer.server.shutdown()

    lines = [
        f"# Auth benchmark ({time.strftime('%Y-%m-%d %H:%M:%S')}, {ROUNDS} round(s) × {DURATION} s, server CPU 0, wrk CPU 1)",
        "",
        "| conns | auth | req/s (median) | p50 µs | p99 µs | ÷ off (median of rounds) |",
        "|---|---|---|---|---|---|",
    ]
    verdicts = []
    for conns in CONNS:
        for name in configs:
            runs = rows[(name, conns)]
            rps = statistics.median(r["rps"] for r in runs)
            p50 = statistics.median(r["p50_us"] for r in runs)
            p99 = statistics.median(r["p99_us"] for r in runs)
            ratio = statistics.median(r["rps"] / off["rps"] for r, off in zip(runs, rows[("off", conns)]))
            lines.append(f"| {conns} | {name} | {rps:,.0f} | {p50:.0f} | {p99:.0f} | {ratio:.3f} |")
            if name != "off":
                verdicts.append((name, conns, ratio))
    lines += ["", "Target: authenticated ≥ 0.80 of unauthenticated. " + ", ".join(
        f"{name}@{conns}: {ratio:.2f} {'met' if ratio >= 0.8 else 'MISSED'}" for name, conns, ratio in verdicts)]
    report = "\n".join(lines) + "\n"
    results = ROOT / "bench/results"
    results.mkdir(exist_ok=True)
    (results / f"auth-{time.strftime('%Y%m%d-%H%M%S')}.md").write_text(report)
    print(report)


if __name__ == "__main__":
    sys.exit(main())
